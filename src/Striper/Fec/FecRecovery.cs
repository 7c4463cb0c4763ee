using System.Numerics;

namespace Fleet.Striper.Fec;

/// <summary>
/// The decoder's arithmetic (docs/striper-protocol.md, "Forward error correction"): a block's missing data symbols
/// from as many of its parity symbols, by subtracting what the received data contributed to each parity (the
/// syndromes) and solving the Cauchy submatrix. Its buffers are made at the first recovery and reused after.
/// </summary>
internal sealed class FecRecovery(int symbolSize)
{
    private readonly byte[][] _syndromes = new byte[CauchyCode.MaxParity][];
    private readonly byte[][] _recovered = new byte[CauchyCode.MaxParity][];
    private readonly int[] _rows = new int[CauchyCode.MaxParity];
    private readonly CauchyCode _code = new();

    /// <summary>
    /// Recovers the data symbols of <paramref name="block"/> at <paramref name="missing"/> (it holds at least as many
    /// parity symbols, in <paramref name="symbols"/>); false when the code finds no solution. <see cref="Recovered"/>
    /// then gives them, in the order of <paramref name="missing"/>.
    /// </summary>
    public bool TrySolve(FecBlockState block, ReadOnlySpan<int> missing, FecSymbolPool symbols)
    {
        if (_syndromes[0] is null)
        {
            for (var j = 0; j < CauchyCode.MaxParity; j++)
            {
                _syndromes[j] = new byte[symbolSize];
                _recovered[j] = new byte[symbolSize];
            }
        }

        var length = block.Length;
        var dataMask = block.Data == 64 ? ulong.MaxValue : (1UL << block.Data) - 1;
        var rows = 0;
        for (var j = 0; j < CauchyCode.MaxParity && rows < missing.Length; j++)
        {
            if ((block.ParityMask & (1u << j)) == 0)
            {
                continue;
            }

            // The syndrome: the parity minus what the received data contributed to it.
            var syndrome = _syndromes[rows].AsSpan(0, length);
            symbols.Buffer(block.ParitySymbol[j]).AsSpan(0, length).CopyTo(syndrome);
            var received = block.DataMask & dataMask;
            while (received != 0)
            {
                var i = BitOperations.TrailingZeroCount(received);
                received &= received - 1;
                var slot = block.DataSymbol[i];
                CauchyCode.Accumulate(syndrome, j, i, symbols.Buffer(slot).AsSpan(0, Math.Min(symbols.Length(slot), length)));
            }

            _rows[rows++] = j;
        }

        return _code.Solve(missing, _rows.AsSpan(0, missing.Length), _syndromes, _recovered, length);
    }

    /// <summary>Recovered symbol <paramref name="index"/> of the last <see cref="TrySolve"/>, <paramref name="length"/> bytes.</summary>
    public ReadOnlySpan<byte> Recovered(int index, int length) => _recovered[index].AsSpan(0, length);
}

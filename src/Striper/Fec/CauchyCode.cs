namespace Fleet.Striper.Fec;

/// <summary>
/// A systematic Reed–Solomon-type erasure code over GF(2⁸) from a Cauchy matrix: a block of k ≤ <see cref="MaxData"/>
/// data symbols gets r ≤ <see cref="MaxParity"/> parity symbols, parity j = Σᵢ C[j, i] · dataᵢ, and any k of the k + r
/// symbols give back the data. C[j, i] = 1 / (xⱼ + yᵢ) with distinct xⱼ = <see cref="MaxData"/> + j and yᵢ = i, each
/// column scaled so that row 0 is all ones: every square submatrix of a Cauchy matrix is invertible, column scaling
/// keeps that, so the code is MDS for every k, and parity 0 is the plain XOR of the data (one parity needs no field
/// multiplication). Symbols of different lengths count as zero-padded to the longest.
/// <para>Allocation-free after construction; one instance per thread (the solver keeps scratch state).</para>
/// </summary>
internal sealed class CauchyCode
{
    public const int MaxData = 32;
    public const int MaxParity = 8;
    private static readonly byte[,] s_coefficients = BuildCoefficients();
    private readonly byte[,] _matrix = new byte[MaxParity, 2 * MaxParity];

    /// <summary>C[<paramref name="parity"/>, <paramref name="data"/>].</summary>
    public static byte Coefficient(int parity, int data) => s_coefficients[parity, data];

    /// <summary>Adds data symbol <paramref name="index"/> into parity symbol <paramref name="parity"/>.</summary>
    public static void Accumulate(Span<byte> paritySymbol, int parity, int index, ReadOnlySpan<byte> dataSymbol) =>
        GaloisField.MultiplyAdd(paritySymbol, dataSymbol, s_coefficients[parity, index]);

    /// <summary>
    /// Recovers <paramref name="missing"/>.Length data symbols from as many parity symbols. On entry each
    /// <paramref name="syndromes"/>[a] holds parity symbol <paramref name="parityRows"/>[a] with every received data
    /// symbol already subtracted (<see cref="Accumulate"/> again: in GF(2⁸) subtracting is adding); on return
    /// <paramref name="recovered"/>[b] holds data symbol <paramref name="missing"/>[b] (its first
    /// <paramref name="length"/> bytes). False when the counts differ or exceed <see cref="MaxParity"/>.
    /// </summary>
    public bool Solve(ReadOnlySpan<int> missing, ReadOnlySpan<int> parityRows, ReadOnlySpan<byte[]> syndromes, ReadOnlySpan<byte[]> recovered, int length)
    {
        var m = missing.Length;
        if (m == 0 || m != parityRows.Length || m > MaxParity || syndromes.Length < m || recovered.Length < m)
        {
            return false;
        }

        // Gauss–Jordan on [A | I], A[a, b] = C[parityRows[a], missing[b]]: the right half becomes A⁻¹.
        for (var a = 0; a < m; a++)
        {
            for (var b = 0; b < m; b++)
            {
                _matrix[a, b] = s_coefficients[parityRows[a], missing[b]];
                _matrix[a, m + b] = (byte)(a == b ? 1 : 0);
            }
        }

        for (var column = 0; column < m; column++)
        {
            var pivot = column;
            while (pivot < m && _matrix[pivot, column] == 0)
            {
                pivot++;
            }

            if (pivot == m)
            {
                return false; // cannot happen for a Cauchy submatrix with distinct rows and columns
            }

            if (pivot != column)
            {
                for (var c = 0; c < 2 * m; c++)
                {
                    (_matrix[pivot, c], _matrix[column, c]) = (_matrix[column, c], _matrix[pivot, c]);
                }
            }

            var inverse = GaloisField.Inverse(_matrix[column, column]);
            for (var c = 0; c < 2 * m; c++)
            {
                _matrix[column, c] = GaloisField.Multiply(_matrix[column, c], inverse);
            }

            for (var row = 0; row < m; row++)
            {
                var factor = _matrix[row, column];
                if (row == column || factor == 0)
                {
                    continue;
                }

                for (var c = 0; c < 2 * m; c++)
                {
                    _matrix[row, c] ^= GaloisField.Multiply(factor, _matrix[column, c]);
                }
            }
        }

        for (var b = 0; b < m; b++)
        {
            var output = recovered[b].AsSpan(0, length);
            output.Clear();
            for (var a = 0; a < m; a++)
            {
                GaloisField.MultiplyAdd(output, syndromes[a].AsSpan(0, length), _matrix[b, m + a]);
            }
        }

        return true;
    }

    private static byte[,] BuildCoefficients()
    {
        var c = new byte[MaxParity, MaxData];
        for (var i = 0; i < MaxData; i++)
        {
            var scale = (byte)(MaxData ^ i); // 1 / C₀ᵢ, with x₀ = MaxData, yᵢ = i (addition is XOR)
            for (var j = 0; j < MaxParity; j++)
            {
                var cauchy = GaloisField.Inverse((byte)((MaxData + j) ^ i));
                c[j, i] = GaloisField.Multiply(cauchy, scale);
            }
        }

        return c;
    }
}

using Fleet.Striper.Fec;
using FsCheck;
using FsCheck.Fluent;

namespace Fleet.Striper.Tests.Fec;

public sealed class CauchyCodeTests
{
    /// <summary>Parity symbols of <paramref name="data"/> (zero-padded to the longest).</summary>
    private static byte[][] Encode(byte[][] data, int parity, int length)
    {
        var result = new byte[parity][];
        for (var j = 0; j < parity; j++)
        {
            result[j] = new byte[length];
            for (var i = 0; i < data.Length; i++)
            {
                CauchyCode.Accumulate(result[j], j, i, data[i]);
            }
        }

        return result;
    }

    [Fact]
    public void GaloisField_MultiplyDivideInverse_AreConsistent()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, GaloisField.Multiply((byte)a, GaloisField.Inverse((byte)a)));
            for (var b = 1; b < 256; b += 7)
            {
                Assert.Equal(a, GaloisField.Divide(GaloisField.Multiply((byte)a, (byte)b), (byte)b));
                Assert.Equal(GaloisField.Multiply((byte)a, (byte)b), GaloisField.Multiply((byte)b, (byte)a));
            }
        }
    }

    [Fact]
    public void FirstParity_IsTheXorOfTheData()
    {
        var random = new Random(5);
        var data = Enumerable.Range(0, 7).Select(i => { var d = new byte[100 + (i * 13)]; random.NextBytes(d); return d; }).ToArray();

        var parity = Encode(data, 1, 200)[0];

        var xor = new byte[200];
        foreach (var d in data)
        {
            for (var i = 0; i < d.Length; i++)
            {
                xor[i] ^= d[i];
            }
        }

        Assert.Equal(xor, parity);
    }

    /// <summary>
    /// The code fuzzed: any k data symbols of random lengths, r parity, any erasure of up to r data symbols with any
    /// choice of r surviving parity rows, comes back exactly (the code is MDS).
    /// </summary>
    [Fact]
    public void Solve_AnyErasuresUpToParityCount_RecoversTheDataExactly()
    {
        var gen =
            from k in Gen.Choose(1, CauchyCode.MaxData)
            from r in Gen.Choose(1, CauchyCode.MaxParity)
            from seed in Gen.Choose(0, int.MaxValue)
            select (k, r, seed);
        var code = new CauchyCode();
        var property = Prop.ForAll(Arb.From(gen), t =>
        {
            var (k, r, seed) = t;
            var random = new Random(seed);
            var data = Enumerable.Range(0, k).Select(_ => { var d = new byte[random.Next(1, 300)]; random.NextBytes(d); return d; }).ToArray();
            var length = data.Max(d => d.Length);
            var parity = Encode(data, r, length);
            var erased = Enumerable.Range(0, k).OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(k, r) + 1)).Order().ToArray();
            var rows = Enumerable.Range(0, r).OrderBy(_ => random.Next()).Take(erased.Length).Order().ToArray();
            var syndromes = new byte[CauchyCode.MaxParity][];
            var recovered = new byte[CauchyCode.MaxParity][];
            for (var a = 0; a < rows.Length; a++)
            {
                syndromes[a] = (byte[])parity[rows[a]].Clone();
                recovered[a] = new byte[length];
                for (var i = 0; i < k; i++)
                {
                    if (!erased.Contains(i))
                    {
                        CauchyCode.Accumulate(syndromes[a], rows[a], i, data[i]);
                    }
                }
            }

            if (!code.Solve(erased, rows, syndromes, recovered, length))
            {
                return false;
            }

            for (var b = 0; b < erased.Length; b++)
            {
                var original = data[erased[b]];
                if (!recovered[b].AsSpan(0, original.Length).SequenceEqual(original) || recovered[b].AsSpan(original.Length).IndexOfAnyExcept((byte)0) >= 0)
                {
                    return false;
                }
            }

            return true;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Solve_MismatchedCounts_False()
    {
        var code = new CauchyCode();
        var buffers = new[] { new byte[4], new byte[4] };

        Assert.False(code.Solve([0, 1], [0], buffers, buffers, 4));
        Assert.False(code.Solve([], [], buffers, buffers, 4));
    }
}

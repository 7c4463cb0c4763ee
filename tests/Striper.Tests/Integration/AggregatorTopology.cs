using System.Globalization;
using System.Security.Cryptography;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// An aggregator and N sites, each site with two paths to it, all through a middle namespace M that routes between
/// them: the aggregator G on <c>g0</c> 10.250.0.1/24 (M's side 10.250.0.2); site k's path i on its <c>p{i}</c>
/// 10.(i+1).k.1/24 (M's side <c>s{k}p{i}</c> 10.(i+1).k.2). A site reaches 10.250.0.1 on both paths (one route per
/// path, each socket bound to its device picks its own). Names carry a per-run random suffix.
/// </summary>
internal sealed class AggregatorTopology : IAsyncDisposable
{
    public const string AggregatorAddress = "10.250.0.1";

    private AggregatorTopology(string suffix, int sites)
    {
        G = $"flag{suffix}g";
        M = $"flag{suffix}m";
        Sites = [.. Enumerable.Range(0, sites).Select(k => $"flag{suffix}s{k}")];
    }

    public string G { get; }

    public string M { get; }

    /// <summary>The sites' namespaces, site k at index k.</summary>
    public IReadOnlyList<string> Sites { get; }

    public static string PathAddress(int site, int path) => $"10.{path + 1}.{site}.1";

    public static async Task<AggregatorTopology> CreateAsync(int sites)
    {
        var topology = new AggregatorTopology(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)), sites);
        try
        {
            await topology.BuildAsync();
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in Sites.Append(G).Append(M))
        {
            await ProcessRunner.RunAsync("ip", ["netns", "del", name]);
        }
    }

    private async Task BuildAsync()
    {
        foreach (var name in Sites.Append(G).Append(M))
        {
            await ProcessRunner.CheckedAsync("ip", "netns", "add", name);
            await ProcessRunner.CheckedAsync("ip", "-n", name, "link", "set", "lo", "up");
        }

        await ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        await ProcessRunner.CheckedAsync("ip", "link", "add", "g0", "netns", G, "type", "veth", "peer", "name", "mg", "netns", M);
        await ProcessRunner.CheckedAsync("ip", "-n", G, "addr", "add", $"{AggregatorAddress}/24", "dev", "g0");
        await ProcessRunner.CheckedAsync("ip", "-n", M, "addr", "add", "10.250.0.2/24", "dev", "mg");
        await ProcessRunner.CheckedAsync("ip", "-n", G, "link", "set", "g0", "up");
        await ProcessRunner.CheckedAsync("ip", "-n", M, "link", "set", "mg", "up");
        await ProcessRunner.CheckedAsync("ip", "-n", G, "route", "add", "default", "via", "10.250.0.2");
        for (var k = 0; k < Sites.Count; k++)
        {
            var site = Sites[k];
            for (var i = 0; i < 2; i++)
            {
                var net = $"10.{(i + 1).ToString(CultureInfo.InvariantCulture)}.{k.ToString(CultureInfo.InvariantCulture)}";
                var middle = $"s{k}p{i}";
                await ProcessRunner.CheckedAsync("ip", "link", "add", $"p{i}", "netns", site, "type", "veth", "peer", "name", middle, "netns", M);
                await ProcessRunner.CheckedAsync("ip", "-n", site, "addr", "add", $"{net}.1/24", "dev", $"p{i}");
                await ProcessRunner.CheckedAsync("ip", "-n", M, "addr", "add", $"{net}.2/24", "dev", middle);
                await ProcessRunner.CheckedAsync("ip", "-n", site, "link", "set", $"p{i}", "up");
                await ProcessRunner.CheckedAsync("ip", "-n", M, "link", "set", middle, "up");
                await ProcessRunner.CheckedAsync("ip", "-n", site, "route", "add", "10.250.0.0/24", "via", $"{net}.2", "dev", $"p{i}",
                    "metric", (i + 1).ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}

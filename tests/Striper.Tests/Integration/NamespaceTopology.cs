using System.Globalization;
using System.Security.Cryptography;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Two hosts (network namespaces A and B) joined by N veth paths through a middle namespace M that routes between
/// them, like two sites joined by N uplinks. Path i: A's <c>a{i}</c> 10.(100+i).1.1/24 — M — B's <c>b{i}</c>
/// 10.(100+i).2.1/24; with IPv6 also fd10:(100+i):1::1/64 — M — fd10:(100+i):2::1/64. Optional tbf shaping per path
/// in M (both directions). <see cref="CutAsync"/> drops a path's
/// packets in M with nftables: a silent failure, both ends keep carrier. Names carry a per-run random suffix.
/// </summary>
internal sealed class NamespaceTopology : IAsyncDisposable
{
    private NamespaceTopology(string suffix, int paths)
    {
        A = $"flst{suffix}a";
        M = $"flst{suffix}m";
        B = $"flst{suffix}b";
        Paths = paths;
    }

    public string A { get; }

    public string M { get; }

    public string B { get; }

    public int Paths { get; }

    public static string NamespacePath(string name) => $"/run/netns/{name}";

    public static string AddressA(int path) => $"10.{100 + path}.1.1";

    public static string AddressB(int path) => $"10.{100 + path}.2.1";

    /// <summary>A's IPv6 address on path <paramref name="path"/> (a topology created with IPv6).</summary>
    public static string AddressA6(int path) => $"fd10:{100 + path}:1::1";

    /// <summary>B's IPv6 address on path <paramref name="path"/> (a topology created with IPv6).</summary>
    public static string AddressB6(int path) => $"fd10:{100 + path}:2::1";

    /// <summary>
    /// Creates the namespaces and paths; <paramref name="ratesMbit"/> shapes each path with tbf when given;
    /// <paramref name="ipv6"/> gives every path IPv6 addresses and routes beside the IPv4 ones.
    /// </summary>
    public static async Task<NamespaceTopology> CreateAsync(int paths, int[]? ratesMbit = null, bool ipv6 = false)
    {
        var topology = new NamespaceTopology(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)), paths);
        try
        {
            await topology.BuildAsync(ratesMbit);
            if (ipv6)
            {
                await topology.AddIpv6Async();
            }

            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops everything path <paramref name="path"/> carries, in M (silently: no link goes down).</summary>
    public Task CutAsync(int path) => ProcessRunner.RunAsync("ip", ["netns", "exec", M, "nft", "-f", "-"], $$"""
        table inet flcut{{path}} {
          chain cut {
            type filter hook forward priority 0; policy accept;
            iifname { "ma{{path}}", "mb{{path}}" } drop
          }
        }
        """).ContinueWith(t => Ensure(t.Result, "nft cut"), TaskScheduler.Default);

    /// <summary>
    /// Drops what path <paramref name="path"/> carries from A towards B, in M, where the nftables
    /// <paramref name="condition"/> holds: <c>numgen random mod 100 &lt; 5</c> drops 5 % at random,
    /// <c>numgen inc mod 30 &lt; 2</c> drops bursts of two consecutive datagrams out of every thirty. A's device of the
    /// path segments UDP GSO trains itself from then on: M then sees each datagram as a packet, so the condition counts
    /// and drops datagrams, not whole trains of them (the sender's trains grow when the machine is loaded, and one
    /// dropped train took a whole FEC block).
    /// </summary>
    public Task DropAsync(int path, string condition) => DropMatchingAsync(path, condition);

    /// <summary>
    /// As <see cref="DropAsync(int, string)"/>, but only data datagrams (message type 2 in the low nibble of the
    /// header's first byte, docs/striper-protocol.md, "Messages"): the path's probes all pass, so its health stays Up
    /// and a test sees what the loss does to the traffic alone. With probes dropped too, 10 % loss misses three probes
    /// in a row (the path goes Down, and carries nothing) in about 3 % of three-second runs.
    /// </summary>
    public Task DropDataAsync(int path, string condition) => DropMatchingAsync(path, $"@th,68,4 2 {condition}");

    private async Task DropMatchingAsync(int path, string condition)
    {

        await ProcessRunner.CheckedAsync("ip", "netns", "exec", A, "ethtool", "-K", $"a{path}", "tx-udp-segmentation", "off");
        Ensure(await ProcessRunner.RunAsync("ip", ["netns", "exec", M, "nft", "-f", "-"], $$"""
            table inet fldrop{{path}} {
              chain loss {
                type filter hook forward priority 0; policy accept;
                iifname "ma{{path}}" udp dport 7000 {{condition}} drop
              }
            }
            """), "nft drop");
    }

    /// <summary>Undoes <see cref="DropAsync"/>.</summary>
    public Task StopDroppingAsync(int path) =>
        ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "nft", "delete", "table", "inet", $"fldrop{path}");

    /// <summary>Undoes <see cref="CutAsync"/>.</summary>
    public Task HealAsync(int path) =>
        ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "nft", "delete", "table", "inet", $"flcut{path}");

    public Task<ProcessResult> InAAsync(string file, params string[] arguments) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", A, file, .. arguments]);

    public async ValueTask DisposeAsync()
    {
        foreach (var name in new[] { A, M, B })
        {
            await ProcessRunner.RunAsync("ip", ["netns", "del", name]);
        }
    }

    private static void Ensure(ProcessResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed: {result.Error}");
        }
    }

    private async Task AddIpv6Async()
    {
        await ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        for (var i = 0; i < Paths; i++)
        {
            var n = (100 + i).ToString(CultureInfo.InvariantCulture);

            // nodad: an address under duplicate address detection is not usable for a second or two, and nothing
            // else in these namespaces could hold it.
            foreach (var (ns, address, dev) in new[] { (A, $"fd10:{n}:1::1/64", $"a{i}"), (M, $"fd10:{n}:1::2/64", $"ma{i}"), (M, $"fd10:{n}:2::2/64", $"mb{i}"), (B, $"fd10:{n}:2::1/64", $"b{i}") })
            {
                await ProcessRunner.CheckedAsync("ip", "-n", ns, "addr", "add", address, "dev", dev, "nodad");
            }

            await ProcessRunner.CheckedAsync("ip", "-n", A, "route", "add", $"fd10:{n}:2::/64", "via", $"fd10:{n}:1::2", "dev", $"a{i}");
            await ProcessRunner.CheckedAsync("ip", "-n", B, "route", "add", $"fd10:{n}:1::/64", "via", $"fd10:{n}:2::2", "dev", $"b{i}");
        }
    }

    private async Task BuildAsync(int[]? ratesMbit)
    {
        foreach (var name in new[] { A, M, B })
        {
            await ProcessRunner.CheckedAsync("ip", "netns", "add", name);
            await ProcessRunner.CheckedAsync("ip", "-n", name, "link", "set", "lo", "up");
        }

        // Forwarding is per namespace; only M's is changed.
        await ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        for (var i = 0; i < Paths; i++)
        {
            var n = (100 + i).ToString(CultureInfo.InvariantCulture);
            await ProcessRunner.CheckedAsync("ip", "link", "add", $"a{i}", "netns", A, "type", "veth", "peer", "name", $"ma{i}", "netns", M);
            await ProcessRunner.CheckedAsync("ip", "link", "add", $"b{i}", "netns", B, "type", "veth", "peer", "name", $"mb{i}", "netns", M);
            await ProcessRunner.CheckedAsync("ip", "-n", A, "addr", "add", $"10.{n}.1.1/24", "dev", $"a{i}");
            await ProcessRunner.CheckedAsync("ip", "-n", M, "addr", "add", $"10.{n}.1.2/24", "dev", $"ma{i}");
            await ProcessRunner.CheckedAsync("ip", "-n", M, "addr", "add", $"10.{n}.2.2/24", "dev", $"mb{i}");
            await ProcessRunner.CheckedAsync("ip", "-n", B, "addr", "add", $"10.{n}.2.1/24", "dev", $"b{i}");
            foreach (var (ns, dev) in new[] { (A, $"a{i}"), (M, $"ma{i}"), (M, $"mb{i}"), (B, $"b{i}") })
            {
                await ProcessRunner.CheckedAsync("ip", "-n", ns, "link", "set", dev, "up");
            }

            await ProcessRunner.CheckedAsync("ip", "-n", A, "route", "add", $"10.{n}.2.0/24", "via", $"10.{n}.1.2", "dev", $"a{i}");
            await ProcessRunner.CheckedAsync("ip", "-n", B, "route", "add", $"10.{n}.1.0/24", "via", $"10.{n}.2.2", "dev", $"b{i}");
            if (ratesMbit is not null)
            {
                foreach (var dev in new[] { $"ma{i}", $"mb{i}" })
                {
                    await ProcessRunner.CheckedAsync("ip", "netns", "exec", M, "tc", "qdisc", "add", "dev", dev, "root", "tbf",
                        "rate", $"{ratesMbit[i]}mbit", "burst", "32kbit", "latency", "50ms");
                }
            }
        }
    }
}

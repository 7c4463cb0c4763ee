using System.Globalization;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// An aggregator in G of an <see cref="AggregatorTopology"/> and one point-to-point engine per site dialling it on both
/// of the site's paths, all in this process. Site k has id k + 1, its own key, the inner prefix 10.99.(k+1).0/24 and
/// tunnel address 10.99.(k+1).1; the aggregator's device has 10.99.0.1/16, so every site's prefix routes into it. The
/// aggregator runs two workers unless told otherwise, so every test exercises the steering across workers.
/// </summary>
internal sealed class AggregatorLab : IAsyncDisposable
{
    public const int Port = 7000;
    public const string AggregatorTunnel = "10.99.0.1";

    private readonly string[] _keys;
    private readonly int _workers;

    private AggregatorLab(AggregatorTopology topology, string[] keys, int workers)
    {
        Topology = topology;
        _keys = keys;
        _workers = workers;
    }

    public AggregatorTopology Topology { get; }

    public StriperAggregator Aggregator { get; private set; } = null!;

    /// <summary>Site k's engine at index k.</summary>
    public List<StriperEngine> Sites { get; } = [];

    public int Count => _keys.Length;

    public static string SiteTunnel(int site) => $"10.99.{(site + 1).ToString(CultureInfo.InvariantCulture)}.1";

    public static async Task<AggregatorLab> StartAsync(int sites, int workers = 2)
    {
        var topology = await AggregatorTopology.CreateAsync(sites);
        var lab = new AggregatorLab(topology, [.. Enumerable.Range(0, sites).Select(_ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))], workers);
        try
        {
            await lab.StartAggregatorAsync(lab.Spec(Enumerable.Range(0, sites)));
            for (var k = 0; k < sites; k++)
            {
                var engine = StriperEngine.Start(lab.SiteSpec(k), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.Sites[k]) },
                    new TestOutputLogger($"S{k}"));
                lab.Sites.Add(engine);
                await ProcessRunner.CheckedAsync("ip", "-n", topology.Sites[k], "addr", "add", $"{SiteTunnel(k)}/16", "dev", engine.DeviceName);
            }

            await lab.WaitUntilUpAsync(Enumerable.Range(0, sites), TimeSpan.FromSeconds(15));
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the aggregator and starts a new one with <paramref name="spec"/> (its sessions are lost; the sites must handshake again).</summary>
    public Task RestartAggregatorAsync(AggregatorSpec spec)
    {
        Aggregator.Dispose();
        return StartAggregatorAsync(spec);
    }

    /// <summary>The aggregator's spec serving the sites <paramref name="sites"/>.</summary>
    public AggregatorSpec Spec(IEnumerable<int> sites) => new()
    {
        Name = "agg0",
        Interface = "g0",
        Port = Port,
        Sites = [.. sites.Select(k => new AggregatorSiteSpec
        {
            Id = k + 1,
            Paths = 2,
            Prefixes = [$"10.99.{(k + 1).ToString(CultureInfo.InvariantCulture)}.0/24"],
            Striper = new StriperOptions { Key = _keys[k], Scheduler = StripeSchedulerKind.RoundRobin },
        })],
    };

    /// <summary>Waits until the sites <paramref name="sites"/> have a session with both paths Up at both ends.</summary>
    public async Task WaitUntilUpAsync(IEnumerable<int> sites, TimeSpan timeout)
    {
        var wanted = sites.ToArray();
        string state = "";
        var up = await Until.TrueAsync(() =>
        {
            var aggregator = Aggregator.GetSnapshot().Sites.ToDictionary(s => s.Id);
            state = string.Join("; ", wanted.Select(k =>
            {
                var site = Sites[k].GetSnapshot();
                var far = aggregator.TryGetValue(k + 1, out var s) ? s.Link : null;
                return $"site {k}: {string.Join(",", site.Paths.Select(p => p.Health))} / {(far is null ? "absent" : string.Join(",", far.Paths.Select(p => p.Health)))}";
            }));
            return wanted.All(k => Sites[k].GetSnapshot().Paths.All(p => p.Health == MemberHealth.Up)
                && aggregator.TryGetValue(k + 1, out var s) && s.Link.Paths.All(p => p.Health == MemberHealth.Up));
        }, timeout);
        if (!up)
        {
            throw new TimeoutException("sites not up: " + state);
        }
    }

    /// <summary>Pings the aggregator's tunnel address from site <paramref name="site"/>; the number of answers.</summary>
    public async Task<int> PingAsync(int site, int count = 3, string? from = null)
    {
        string[] source = from is null ? [] : ["-I", from];
        var result = await ProcessRunner.RunAsync("ip", ["netns", "exec", Topology.Sites[site], "ping", "-c", count.ToString(CultureInfo.InvariantCulture),
            "-i", "0.2", "-W", "1", .. source, AggregatorTunnel]);
        var match = System.Text.RegularExpressions.Regex.Match(result.Output, @"(\d+) received");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var site in Sites)
        {
            site.Dispose();
        }

        Aggregator?.Dispose();
        await Topology.DisposeAsync();
    }

    private async Task StartAggregatorAsync(AggregatorSpec spec)
    {
        Aggregator = StriperAggregator.Start(spec, new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(Topology.G) }, new TestOutputLogger("G"),
            _workers);
        await ProcessRunner.CheckedAsync("ip", "-n", Topology.G, "addr", "add", $"{AggregatorTunnel}/16", "dev", Aggregator.DeviceName);
    }

    private LinkSpec SiteSpec(int k) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [.. Enumerable.Range(0, 2).Select(i => new MemberSpec
        {
            Interface = $"p{i}",
            Address = AggregatorTopology.PathAddress(k, i),
            Peer = $"{AggregatorTopology.AggregatorAddress}:{Port}",
        })],
        Striper = new StriperOptions { Key = _keys[k], SiteId = k + 1, Scheduler = StripeSchedulerKind.RoundRobin },
    };
}

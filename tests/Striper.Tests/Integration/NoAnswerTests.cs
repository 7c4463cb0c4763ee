using System.Diagnostics;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Engine;
using Fleet.Testing;
using Microsoft.Extensions.Logging;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Issue 20: a striper link whose ends never hear each other (both dial, neither listens) said nothing: every path
/// stayed Unknown ("no answer yet") forever while no packet crossed. After the no-answer timeout every path is Down
/// with the reason "no answer from peer", and a peer that shows up later still brings the paths up.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class NoAnswerTests
{
    private const int Port = 7000;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task BothEndsDialNeitherListens_AfterTimeout_EveryPathDownNoAnswerFromPeer()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var membersA = Enumerable.Range(0, 2).Select(i => new MemberSpec { Interface = $"a{i}", Address = NamespaceTopology.AddressA(i), Peer = $"{NamespaceTopology.AddressB(i)}:{Port}" }).ToList();
        var membersB = Enumerable.Range(0, 2).Select(i => new MemberSpec { Interface = $"b{i}", Address = NamespaceTopology.AddressB(i), Peer = $"{NamespaceTopology.AddressA(i)}:{Port}" }).ToList();
        var started = Stopwatch.StartNew();
        using var a = StriperEngine.Start(StriperPair.Spec(membersA, key, StripeSchedulerKind.RoundRobin, StriperPair.TunnelA), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.A) });
        using var b = StriperEngine.Start(StriperPair.Spec(membersB, key, StripeSchedulerKind.RoundRobin, StriperPair.TunnelB), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.B) });

        var down = await Until.TrueAsync(() => AllDown(a) && AllDown(b), TimeSpan.FromSeconds(20));
        var elapsed = started.Elapsed;

        var report = $"after {elapsed.TotalSeconds:0.0} s: A [{Describe(a)}], B [{Describe(b)}]";
        Assert.True(down, report);
        Assert.False(a.GetSnapshot().SessionEstablished, report);
        Assert.All(a.GetSnapshot().Paths.Concat(b.GetSnapshot().Paths), p => Assert.Equal("no answer from peer", p.HealthReason));
        Assert.True(elapsed >= StriperEngineOptions.DefaultNoAnswerTimeout - TimeSpan.FromMilliseconds(100), report);
    }

    /// <remarks>
    /// Also issue 20, item 7: the host hears of each change as it happens (<see cref="StriperEngineOptions.PathStateChanged"/>),
    /// and the snapshot it reads in the callback already has the new health.
    /// </remarks>
    [Fact(Timeout = 60_000)]
    public async Task PeerStartsLate_PathsDownThenUpOnceItAnswers()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var membersA = Enumerable.Range(0, 2).Select(i => new MemberSpec { Interface = $"a{i}", Address = NamespaceTopology.AddressA(i), Peer = $"{NamespaceTopology.AddressB(i)}:{Port}" }).ToList();
        var membersB = Enumerable.Range(0, 2).Select(i => new MemberSpec { Interface = $"b{i}", Address = NamespaceTopology.AddressB(i), LocalPort = Port }).ToList();
        var changes = new System.Collections.Concurrent.ConcurrentQueue<(string Member, MemberHealth Health, MemberHealth Seen)>();
        StriperEngine? started = null;
        var options = new StriperEngineOptions
        {
            NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.A),
            NoAnswerTimeout = TimeSpan.FromSeconds(1),
            PathStateChanged = (member, health) => changes.Enqueue((member, health, Volatile.Read(ref started)?.GetSnapshot().Paths.Single(p => p.Interface == member).Health ?? MemberHealth.Unknown)),
        };
        using var a = StriperEngine.Start(StriperPair.Spec(membersA, key, StripeSchedulerKind.RoundRobin, StriperPair.TunnelA), options);
        Volatile.Write(ref started, a);
        Assert.True(await Until.TrueAsync(() => AllDown(a), TimeSpan.FromSeconds(10)), Describe(a));

        using var b = StriperEngine.Start(StriperPair.Spec(membersB, key, StripeSchedulerKind.RoundRobin, StriperPair.TunnelB), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.B) });

        Assert.True(await Until.TrueAsync(() => a.GetSnapshot().Paths.All(p => p.Health == MemberHealth.Up), TimeSpan.FromSeconds(10)), Describe(a));
        Assert.True(a.GetSnapshot().SessionEstablished);
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        Assert.All(a.GetSnapshot().Paths, p => Assert.Equal(MemberHealth.Up, p.Health));
        foreach (var member in membersA.Select(m => m.Interface))
        {
            var told = changes.Where(c => c.Member == member).ToList();
            Assert.Equal([MemberHealth.Down, MemberHealth.Up], told.Select(c => c.Health).Where(h => h is MemberHealth.Down or MemberHealth.Up).Distinct());
            Assert.All(told, c => Assert.Equal(c.Health, c.Seen));
        }
    }

    private static bool AllDown(StriperEngine engine) => engine.GetSnapshot().Paths.All(p => p.Health == MemberHealth.Down);

    private static string Describe(StriperEngine engine) =>
        string.Join(", ", engine.GetSnapshot().Paths.Select(p => $"{p.Interface} {p.Health} ({p.HealthReason})"));
}

/// <summary>
/// Issue 20: under load a path flaps Up ↔ Degraded ("probe missed", then "late answer"), many times a minute; those
/// changes are logged at debug level, a change to or from Down or Unknown at information level.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class PathStateLogTests
{
    [Fact(Timeout = 60_000)]
    public async Task LogPathState_UpDegradedFlapsAtDebug_DownAndUnknownAtInformation()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        var log = new LevelRecorder();
        var members = new List<MemberSpec> { new() { Interface = "a0", Address = NamespaceTopology.AddressA(0), Peer = $"{NamespaceTopology.AddressB(0)}:7000" } };
        using var engine = StriperEngine.Start(
            StriperPair.Spec(members, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), StripeSchedulerKind.RoundRobin, StriperPair.TunnelA),
            new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.A) },
            log);

        engine.OnPathStateChanged("a0", MemberHealth.Up, MemberHealth.Degraded, "probe missed");
        engine.OnPathStateChanged("a0", MemberHealth.Degraded, MemberHealth.Up, "late answer: probe was delayed, not lost");
        engine.OnPathStateChanged("a0", MemberHealth.Degraded, MemberHealth.Down, "3 probes missed");
        engine.OnPathStateChanged("a0", MemberHealth.Unknown, MemberHealth.Down, "no answer from peer");

        Assert.Equal(
            [(LogLevel.Debug, "Up -> Degraded"), (LogLevel.Debug, "Degraded -> Up"), (LogLevel.Information, "Degraded -> Down"), (LogLevel.Information, "Unknown -> Down")],
            log.Entries.Where(e => e.Message.Contains("path a0", StringComparison.Ordinal)).Select(e => (e.Level, Transition(e.Message))).ToArray());
    }

    private static string Transition(string message)
    {
        var start = message.IndexOf("path a0 ", StringComparison.Ordinal) + "path a0 ".Length;
        return message[start..message.IndexOf(" (", start, StringComparison.Ordinal)];
    }

    private sealed class LevelRecorder : ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}

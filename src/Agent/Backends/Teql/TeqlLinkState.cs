using System.Globalization;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// One teql link's probing: a loop that pings every enabled member's <see cref="MemberSpec.ProbeTarget"/> through
/// that member (<c>ping -I member</c>) once per <see cref="TeqlOptions.ProbeIntervalMs"/>, keeps each member's
/// <see cref="TeqlMemberProbe"/>, and hands every finished round to the backend (which moves the qdiscs when the set
/// of carrying members changes). Readers on other threads get snapshots taken under the lock the loop records under.
/// </summary>
internal sealed partial class TeqlLinkState(LinkSpec spec, KernelContext context, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private readonly Dictionary<string, TeqlMemberProbe> _probes = new(StringComparer.Ordinal);
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public LinkSpec Spec { get; private set; } = spec;

    /// <summary>The members that carried traffic after the last round the backend acted on.</summary>
    public IReadOnlyList<string> LastCarrying { get; set; } = [];

    public bool Stopping { get; private set; }

    public void Update(LinkSpec spec)
    {
        lock (_probes)
        {
            Spec = spec;
            foreach (var gone in _probes.Keys.Where(k => !spec.Members.Any(m => m.Interface == k)).ToList())
            {
                _probes.Remove(gone);
            }

            LastCarrying = TeqlMemberProbe.SelectCarrying(spec.Members, HealthOfLocked);
        }
    }

    /// <summary>A copy of the member's probe state (the loop keeps recording into the probe itself).</summary>
    public TeqlProbeSnapshot? Probe(string member)
    {
        lock (_probes)
        {
            return _probes.GetValueOrDefault(member)?.Snapshot();
        }
    }

    public MemberHealth HealthOf(string member)
    {
        lock (_probes)
        {
            return HealthOfLocked(member);
        }
    }

    /// <summary>Starts the loop unless it runs; <paramref name="afterRound"/> sees every finished round.</summary>
    public void StartProbing(Func<TeqlLinkState, CancellationToken, Task> afterRound)
    {
        lock (_probes)
        {
            if (_loop is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _loop = Task.Run(() => LoopAsync(afterRound, token), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_probes)
        {
            Stopping = true;
            loop = _loop;
            _stop?.Cancel();
        }

        if (loop is not null)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop?.Dispose();
    }

    private MemberHealth HealthOfLocked(string member) => _probes.TryGetValue(member, out var probe) ? probe.Health : MemberHealth.Unknown;

    private async Task LoopAsync(Func<TeqlLinkState, CancellationToken, Task> afterRound, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var spec = Spec;
            var options = spec.Teql ?? new TeqlOptions();
            var interval = TimeSpan.FromMilliseconds(options.ProbeIntervalMs);
            try
            {
                var probes = spec.Members
                    .Where(m => m.AdminState != MemberAdminState.Disabled && m.ProbeTarget is not null)
                    .Select(m => ProbeAsync(m, interval, cancellationToken));
                var results = await Task.WhenAll(probes);
                lock (_probes)
                {
                    foreach (var (member, rtt, error) in results)
                    {
                        if (rtt is null && error is null)
                        {
                            // No evidence either way (see ProbeAsync).
                            continue;
                        }

                        if (!_probes.TryGetValue(member, out var probe))
                        {
                            probe = new TeqlMemberProbe();
                            _probes[member] = probe;
                        }

                        probe.Record(rtt, error, options.DownAfterFailedProbes);
                    }
                }

                await afterRound(this, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogProbeRoundFailed(ex, spec.Name);
            }

            try
            {
                await Task.Delay(interval, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<(string Member, double? RttMs, string? Error)> ProbeAsync(MemberSpec member, TimeSpan wait, CancellationToken cancellationToken)
    {
        // At least a second: a loaded host answers late, and a late answer must not count as a dead path.
        var seconds = Math.Clamp(wait.TotalSeconds, 1, 5).ToString("0.###", CultureInfo.InvariantCulture);
        var result = await context.RunAsync(
            "ping",
            ["-n", "-q", "-c", "1", "-W", seconds, "-I", member.Interface, member.ProbeTarget!],
            TimeSpan.FromSeconds(10),
            cancellationToken: cancellationToken);
        // Exit code -1: ping did not start or did not finish within the runner's limit. That says the host is slow, not
        // that the path is dead, so it is no probe at all (neither answered nor failed): on a loaded host (the kernel-VM
        // suite under emulation) such timeouts took healthy members out of the equalizer.
        if (result.ExitCode == -1)
        {
            return (member.Interface, null, null);
        }

        var rtt = PingReply.RoundTripMs(result.ExitCode, result.StandardOutput);
        var error = rtt is null ? (result.ExitCode == 1 ? "no reply" : result.Message) : null;
        return (member.Interface, rtt, error);
    }

    [LoggerMessage(EventId = 5206, Level = LogLevel.Error, Message = "Teql {Name}: probe round failed")]
    private partial void LogProbeRoundFailed(Exception exception, string name);
}

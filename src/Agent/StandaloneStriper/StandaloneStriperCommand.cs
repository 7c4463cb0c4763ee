using System.CommandLine;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>
/// <c>fleet-agent striper run --config FILE.json</c>: runs one striper endpoint standalone from a link spec (kind
/// striper, JSON as the Api stores it), for tests, benchmarks and hosts without the control plane. SIGHUP re-reads the
/// file and applies what can change live (scheduler, weights, admin states, thresholds); SIGINT/SIGTERM stop it.
/// With <c>--stats-interval-ms</c> it prints the engine's counters as one JSON line per interval on stdout.
/// <c>striper aggregate</c> is <see cref="StandaloneAggregatorCommand"/>.
/// </summary>
internal sealed class StandaloneStriperCommand : IStandaloneEndpoint<LinkSpec, StriperEngine>
{
    public string SpecName => "link spec";

    public IReadOnlyList<Option> Options => [];

    public static Command Create() => new("striper", "Fleet's userspace striper.")
    {
        StandaloneRun.Command("run", "Run one striper endpoint from a config file until interrupted.", "Link spec of kind striper (JSON).", new StandaloneStriperCommand()),
        StandaloneRun.Command("aggregate", "Run a striper aggregator serving many sites on one port until interrupted.", "Aggregator spec (JSON).", new StandaloneAggregatorCommand()),
    };

    public IReadOnlyList<ValidationError> Validate(LinkSpec spec)
    {
        var errors = LinkSpecValidator.Validate(spec);
        return errors.Count == 0 && spec.Kind != LinkKind.Striper ? [new ValidationError("kind", "kind must be striper")] : errors;
    }

    public StriperEngine Start(LinkSpec spec, StriperEngineOptions options, ILogger logger, ParseResult parse) => StriperEngine.Start(spec, options, logger);

    public string DeviceName(StriperEngine running) => running.DeviceName;

    public LinkSpec Addressing(LinkSpec spec) => spec;

    public string Running(StriperEngine running, LinkSpec spec) => $"striper {running.DeviceName} running (mtu {running.TunMtu}, {running.TunFeatures})";

    public object Snapshot(StriperEngine running) => running.GetSnapshot();

    public string? Reload(StriperEngine running, LinkSpec spec)
    {
        if (!running.CanUpdateLive(spec))
        {
            return "the change needs a restart (members, ports, peers, key, cipher, site id, name or MTU changed)";
        }

        running.Update(spec);
        return null;
    }
}

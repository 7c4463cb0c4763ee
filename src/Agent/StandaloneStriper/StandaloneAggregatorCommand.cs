using System.CommandLine;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>
/// <c>fleet-agent striper aggregate --config FILE.json</c>: runs a striper aggregator standalone from an aggregator spec
/// (JSON, docs/striper-protocol.md, "Aggregator"): one UDP port and one TUN device serving every site of the file.
/// SIGHUP re-reads the file and adds, changes and removes sites live; SIGINT/SIGTERM stop it. With
/// <c>--stats-interval-ms</c> it prints the aggregator's and every site's counters as one JSON line per interval.
/// <c>--workers N</c> sets its receive and transmit workers (default: one per processor).
/// </summary>
internal sealed class StandaloneAggregatorCommand : IStandaloneEndpoint<AggregatorSpec, StriperAggregator>
{
    private readonly Option<int> _workers = new("--workers")
    {
        Description = "Receive and transmit workers, one socket and TUN queue each (0: one per processor).",
        DefaultValueFactory = _ => 0,
    };

    public string SpecName => "aggregator spec";

    public IReadOnlyList<Option> Options => [_workers];

    public IReadOnlyList<ValidationError> Validate(AggregatorSpec spec) => AggregatorSpecValidator.Validate(spec);

    public StriperAggregator Start(AggregatorSpec spec, StriperEngineOptions options, ILogger logger, ParseResult parse) =>
        StriperAggregator.Start(spec, options, logger, Math.Max(0, parse.GetValue(_workers)));

    public string DeviceName(StriperAggregator running) => running.DeviceName;

    // DeviceAddressing reads only the name, addresses and routes of a link spec.
    public LinkSpec Addressing(AggregatorSpec spec) => new() { Kind = LinkKind.Striper, Name = spec.Name, Members = [], Addresses = spec.Addresses };

    public string Running(StriperAggregator running, AggregatorSpec spec) =>
        $"aggregator {running.DeviceName} running (mtu {running.TunMtu}, port {spec.Port}, {spec.Sites.Count} sites, {running.Workers} workers)";

    public object Snapshot(StriperAggregator running) => running.GetSnapshot();

    public string? Reload(StriperAggregator running, AggregatorSpec spec)
    {
        try
        {
            running.Update(spec);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException)
        {
            return ex.Message;
        }
    }
}

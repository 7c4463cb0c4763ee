using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Microsoft.Extensions.Logging;

namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    /// <summary>
    /// An engine for one site of an aggregator: <paramref name="spec"/> lists the site's paths (each a member that
    /// listens on the shared socket, so it learns where the site is), its key and options; the device and socket come
    /// from <paramref name="hosting"/>, and no thread is started (docs/striper-protocol.md, "Aggregator").
    /// </summary>
    internal static StriperEngine Host(LinkSpec spec, int tunMtu, EngineHosting hosting, StriperEngineOptions options, ILogger logger)
    {
        var errors = LinkSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid site spec: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), nameof(spec));
        }

        var thresholds = ThresholdsFrom(spec.Striper!);
        var paths = new PathRuntime[spec.Members.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = new PathRuntime(i, spec.Members[i], hosting.Socket, default, thresholds, ownsSocket: false);
        }

        var engine = new StriperEngine(spec, StriperPolicy.Of(spec), hosting.Tun, paths, tunMtu, options, logger, hosting);
        engine.LogStarted(engine.LogName, tunMtu, hosting.Tun.Features.ToString(), paths.Length, LinkSpecValidator.SchedulerName(spec.Striper!.Scheduler));
        return engine;
    }
}

using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// One site an aggregator serves: its spec, the engine that runs its session (keys, replay windows, resequencing,
/// health, scheduling — the point-to-point engine's, driven by the aggregator's workers) and its receive tag.
/// </summary>
internal sealed class AggregatorSite : IInboundSourceCheck, IDisposable
{
    private readonly Func<AggregatorSites> _sites;
    private StriperEngine? _engine;

    /// <param name="spec">The site.</param>
    /// <param name="sites">The aggregator's sites in force, whose prefix table says which sources are this site's.</param>
    /// <param name="workers">How many receive workers the aggregator runs.</param>
    public AggregatorSite(AggregatorSiteSpec spec, Func<AggregatorSites> sites, int workers)
    {
        Spec = spec;
        Id = (uint)spec.Id;
        Worker = WorkerSteering.WorkerOf(Id, workers);
        _sites = sites;
    }

    public uint Id { get; }

    /// <summary>The lane whose receive worker alone runs the site's receive loop (where its hellos land).</summary>
    public int Worker { get; }

    /// <summary>
    /// Held by whichever transmit worker feeds the site's sending loop: the kernel spreads the site's flows over every
    /// TUN queue, and the loop (sequence numbers, schedulers, FEC blocks) is single-threaded.
    /// </summary>
    public Lock TransmitLock { get; } = new();

    public AggregatorSiteSpec Spec { get; set; }

    public StriperEngine Engine => _engine ?? throw new InvalidOperationException("the site's engine is not started");

    /// <summary>The receive tag of the site's session in force (0 before the first); <see cref="SessionTags"/> owns it.</summary>
    public uint Tag { get; set; }

    /// <summary>Set (by <see cref="SessionTags.Release"/>) when the site is being removed: it claims no tag again.</summary>
    public bool Removed { get; set; }

    public void Start(StriperEngine engine) => _engine = engine;

    /// <inheritdoc />
    public bool Allows(ReadOnlySpan<byte> packet) => ReferenceEquals(_sites().Prefixes.FindOf(packet, source: true), this);

    public void Dispose() => _engine?.Dispose();
}

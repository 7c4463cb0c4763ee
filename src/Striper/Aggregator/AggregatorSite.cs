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
    public AggregatorSite(AggregatorSiteSpec spec, Func<AggregatorSites> sites)
    {
        Spec = spec;
        Id = (uint)spec.Id;
        _sites = sites;
    }

    public uint Id { get; }

    public AggregatorSiteSpec Spec { get; set; }

    public StriperEngine Engine => _engine ?? throw new InvalidOperationException("the site's engine is not started");

    /// <summary>The receive tag of the site's session in force (0 before the first); <see cref="SessionTags"/> owns it.</summary>
    public uint Tag { get; set; }

    /// <summary>Set (by <see cref="SessionTags.Release"/>) when the site is being removed: it claims no tag again.</summary>
    public bool Removed { get; set; }

    /// <summary>The transmit worker's mark: packets were handed to the site since its last flush.</summary>
    public bool FlushPending { get; set; }

    public void Start(StriperEngine engine) => _engine = engine;

    /// <inheritdoc />
    public bool Allows(ReadOnlySpan<byte> packet) => ReferenceEquals(_sites().Prefixes.FindOf(packet, source: true), this);

    public void Dispose() => _engine?.Dispose();
}

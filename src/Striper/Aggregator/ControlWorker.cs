namespace Fleet.Striper.Aggregator;

/// <summary>
/// The aggregator's control thread: every 2 ms, one control round (hellos, probes, health, tiers, rekeying) for each
/// site, as a point-to-point engine's control thread does for its link. A site whose round throws is logged and the
/// others carry on.
/// </summary>
internal sealed class ControlWorker
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(2);
    private readonly StriperAggregator _owner;

    public ControlWorker(StriperAggregator owner)
    {
        _owner = owner;
    }

    /// <inheritdoc cref="ReceiveWorker.SeenGeneration"/>
    public long SeenGeneration;

    public void Run()
    {
        while (!_owner.StopSignal.Wait(s_tick))
        {
            var sites = _owner.Sites;
            Volatile.Write(ref SeenGeneration, sites.Generation);
            foreach (var site in sites.All)
            {
                try
                {
                    site.Engine.Controller.Tick();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The edge of the loop (docs/conventions.md, rule 12): one site's bug must not stop the others.
                    site.Engine.LogLoopError("control", ex);
                }
            }
        }
    }
}

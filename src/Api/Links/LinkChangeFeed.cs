using System.Collections.Immutable;
using System.Threading.Channels;

namespace Fleet.Api.Links;

/// <summary>What happened to a link's desired state.</summary>
public enum LinkChangeKind
{
    /// <summary>A new link (generation 1).</summary>
    Created,

    /// <summary>A new generation from a spec change (REST <c>PUT …/spec</c>, the policy editor).</summary>
    SpecChanged,

    /// <summary>A new generation that restores an earlier revision's spec.</summary>
    Reverted,

    /// <summary>The link was deleted: the agent should tear it down.</summary>
    Deleted,

    /// <summary>The host was decommissioned (its credentials are revoked); <see cref="LinkChange.LinkId"/> is empty.</summary>
    HostDecommissioned,
}

/// <summary>A committed change to a link's desired state: the link's host should hear about it now.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="HostId">The host the link lives on.</param>
/// <param name="LinkId">The link (<see cref="Guid.Empty"/> for <see cref="LinkChangeKind.HostDecommissioned"/>).</param>
/// <param name="Generation">The link's desired generation after the change (the last one for a deletion).</param>
public sealed record LinkChange(LinkChangeKind Kind, Guid HostId, Guid LinkId, long Generation);

/// <summary>
/// In-process feed of committed link changes. <see cref="LinkCommands"/> publishes after its transaction commits;
/// the agent hub subscribes and pushes specs to connected agents at once. Each subscriber has its own unbounded
/// queue, so a slow subscriber delays only itself. Changes are not persisted: a subscriber that starts later (or an agent that
/// reconnects) gets the desired state from the database instead. Cross-replica delivery is not done here (see
/// docs/architecture.md, "Link change feed").
/// </summary>
public interface ILinkChangeFeed
{
    /// <summary>Delivers <paramref name="change"/> to every current subscriber.</summary>
    void Publish(LinkChange change);

    /// <summary>A new subscription; dispose it to stop receiving.</summary>
    LinkChangeSubscription Subscribe();
}

/// <summary>One subscriber's queue of link changes, in publication order.</summary>
public sealed class LinkChangeSubscription : IDisposable
{
    private readonly Channel<LinkChange> _channel = Channel.CreateUnbounded<LinkChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<LinkChangeSubscription> _unsubscribe;

    internal LinkChangeSubscription(Action<LinkChangeSubscription> unsubscribe) => _unsubscribe = unsubscribe;

    /// <summary>The changes; completes when the subscription is disposed.</summary>
    public ChannelReader<LinkChange> Reader => _channel.Reader;

    internal void Write(LinkChange change) => _channel.Writer.TryWrite(change);

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

internal sealed class LinkChangeFeed : ILinkChangeFeed
{
    private readonly Lock _gate = new();
    private ImmutableArray<LinkChangeSubscription> _subscribers = [];

    public void Publish(LinkChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Write(change);
        }
    }

    public LinkChangeSubscription Subscribe()
    {
        var subscription = new LinkChangeSubscription(Unsubscribe);
        lock (_gate)
        {
            _subscribers = _subscribers.Add(subscription);
        }

        return subscription;
    }

    private void Unsubscribe(LinkChangeSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Remove(subscription);
        }
    }
}

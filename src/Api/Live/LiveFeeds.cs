using System.Collections.Concurrent;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Live;

/// <summary>
/// Who follows what: a feed per watched link (with its ring buffer) and per watched host, and each dashboard
/// connection's subscriptions. Routes stored samples and state changes to the subscriptions they concern. A link
/// nobody watched for <see cref="LiveLimits.RingBufferMinutes"/> minutes loses its feed and buffer.
/// </summary>
internal sealed class LiveFeeds(TimeProvider time, DirtySubscriptions dirty)
{
    private static readonly TimeSpan s_keepUnwatched = TimeSpan.FromMinutes(LiveLimits.RingBufferMinutes);

    private readonly ConcurrentDictionary<Guid, LinkFeed> _links = new();
    private readonly ConcurrentDictionary<Guid, HostFeed> _hosts = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(bool Host, Guid Id), LiveSubscription>> _connections = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Samples of one host: into the ring buffers of watched links and to their subscribers and the host's.</summary>
    public void DeliverSamples(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        _hosts.TryGetValue(hostId, out var hostFeed);
        foreach (var (linkId, group) in GroupByLink(samples))
        {
            if (!_links.TryGetValue(linkId, out var feed) && hostFeed is not null)
            {
                // A link created after its host was subscribed: start its buffer now.
                feed = _links.GetOrAdd(linkId, id => new LinkFeed(id, hostId, loaded: true));
            }

            if (feed is not null)
            {
                feed.Ring.Add(group);
                DeliverToViews(feed, group);
            }

            if (hostFeed is not null)
            {
                foreach (var subscription in hostFeed.Subscribers.Values)
                {
                    subscription.AddSamples(linkId, group);
                }
            }
        }
    }

    /// <summary>A link's new samples to its subscribers: all of them, or what each one's view selects (the sites' sum made once).</summary>
    private static void DeliverToViews(LinkFeed feed, List<MemberSample> group)
    {
        IReadOnlyList<MemberSample>? sums = null;
        foreach (var subscription in feed.Subscribers.Values)
        {
            if (subscription.View is not { } view)
            {
                subscription.AddSamples(feed.LinkId, group);
                continue;
            }

            if (view.AllSites)
            {
                sums ??= LiveSelection.SumsOfRounds(feed, group);
            }

            var selected = LiveSelection.Select(view, feed.OwnMembers, group, sums ?? []);
            if (selected.Count > 0)
            {
                subscription.AddSamples(feed.LinkId, selected);
            }
        }
    }

    /// <summary>A link's state: to the link's subscribers and its host's.</summary>
    public void DeliverState(LiveLinkState state)
    {
        if (_links.TryGetValue(state.LinkId, out var feed))
        {
            foreach (var subscription in feed.Subscribers.Values)
            {
                subscription.SetState(state);
            }
        }

        if (_hosts.TryGetValue(state.HostId, out var hostFeed))
        {
            foreach (var subscription in hostFeed.Subscribers.Values)
            {
                subscription.SetState(state);
            }
        }
    }

    /// <summary>The link's feed (created, unloaded, when nobody watched it).</summary>
    public LinkFeed LinkFeed(Guid linkId, Guid hostId) => _links.GetOrAdd(linkId, id => new LinkFeed(id, hostId, loaded: false));

    /// <summary>Forgets a feed whose ring buffer could not be loaded, so the next subscriber tries again.</summary>
    public void ForgetLinkFeed(Guid linkId) => _links.TryRemove(linkId, out _);

    /// <summary>Subscribes a connection to a link's feed with a view (null: every member); when it already is, only the view changes.</summary>
    public void SubscribeLink(string connectionId, LinkFeed feed, LiveLinkView? view) => Register(connectionId, host: false, feed.LinkId, feed.Subscribers, view);

    /// <summary>Subscribes a connection to a host's feed (nothing when it already is).</summary>
    public void SubscribeHost(string connectionId, Guid hostId) =>
        Register(connectionId, host: true, hostId, _hosts.GetOrAdd(hostId, _ => new HostFeed()).Subscribers, view: null);

    /// <summary>Ends one subscription.</summary>
    public void Unsubscribe(string connectionId, bool host, Guid id)
    {
        if (_connections.TryGetValue(connectionId, out var subscriptions) && subscriptions.TryRemove((host, id), out var subscription))
        {
            Detach(subscription);
        }
    }

    /// <summary>Ends every subscription of a connection.</summary>
    public void Disconnected(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var subscriptions))
        {
            foreach (var subscription in subscriptions.Values)
            {
                Detach(subscription);
            }
        }
    }

    /// <summary>How many subscriptions a connection holds.</summary>
    public int SubscriptionCount(string connectionId) => _connections.TryGetValue(connectionId, out var subscriptions) ? subscriptions.Count : 0;

    /// <summary>Drops feeds nobody watches any more (at most once a minute).</summary>
    public void SweepUnwatched()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastSweep, now) < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (linkId, feed) in _links)
        {
            var hostWatched = _hosts.TryGetValue(feed.HostId, out var hostFeed) && !hostFeed.Subscribers.IsEmpty;
            if (feed.Subscribers.IsEmpty && time.GetElapsedTime(feed.LastWatched, now) > s_keepUnwatched && !hostWatched)
            {
                _links.TryRemove(linkId, out _);
            }
        }

        foreach (var (hostId, hostFeed) in _hosts)
        {
            if (hostFeed.Subscribers.IsEmpty)
            {
                _hosts.TryRemove(hostId, out _);
            }
        }
    }

    private void Register(string connectionId, bool host, Guid id, ConcurrentDictionary<string, LiveSubscription> subscribers, LiveLinkView? view)
    {
        var subscriptions = _connections.GetOrAdd(connectionId, _ => new ConcurrentDictionary<(bool, Guid), LiveSubscription>());
        if (subscriptions.TryGetValue((host, id), out var existing))
        {
            existing.View = view;
            return;
        }

        if (subscriptions.Count >= LiveFanout.MaxSubscriptionsPerConnection)
        {
            throw new HubException($"a connection may follow at most {LiveFanout.MaxSubscriptionsPerConnection} links and hosts");
        }

        var subscription = new LiveSubscription(connectionId, host, id, dirty) { View = view };
        subscriptions[(host, id)] = subscription;
        subscribers[connectionId] = subscription;
    }

    private void Detach(LiveSubscription subscription)
    {
        subscription.Closed = true;
        if (subscription.Host)
        {
            if (_hosts.TryGetValue(subscription.Id, out var hostFeed))
            {
                hostFeed.Subscribers.TryRemove(subscription.ConnectionId, out _);
            }
        }
        else if (_links.TryGetValue(subscription.Id, out var feed))
        {
            feed.Subscribers.TryRemove(subscription.ConnectionId, out _);
            feed.LastWatched = time.GetTimestamp();
        }
    }

    private static Dictionary<Guid, List<MemberSample>> GroupByLink(IReadOnlyList<MemberSample> samples)
    {
        var groups = new Dictionary<Guid, List<MemberSample>>();
        foreach (var sample in samples)
        {
            if (!groups.TryGetValue(sample.LinkId, out var list))
            {
                list = [];
                groups[sample.LinkId] = list;
            }

            list.Add(sample);
        }

        return groups;
    }
}

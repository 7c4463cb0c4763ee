using System.Collections.Concurrent;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;

namespace Fleet.Api.Live;

/// <summary>
/// One dashboard connection following one link or host; holds what waits for the next push (samples appended,
/// states latest-wins) and puts itself on the pusher's queue when something arrives.
/// </summary>
internal sealed class LiveSubscription(string connectionId, bool host, Guid id, DirtySubscriptions dirty)
{
    private readonly Lock _gate = new();
    private Dictionary<Guid, List<MemberSample>> _samples = [];
    private Dictionary<Guid, LiveLinkState> _states = [];
    private bool _queued;
    private LiveLinkView? _view;

    public string ConnectionId { get; } = connectionId;

    public bool Host { get; } = host;

    public Guid Id { get; } = id;

    public volatile bool Closed;

    /// <summary>What of its link this subscription is sent; null for every member (and for a host's subscription).</summary>
    public LiveLinkView? View
    {
        get => Volatile.Read(ref _view);
        set => Volatile.Write(ref _view, value);
    }

    /// <summary>Timestamp before which this subscription is not pushed again (owned by the pusher's loop).</summary>
    public long NextAllowed { get; set; }

    public void AddSamples(Guid linkId, List<MemberSample> samples)
    {
        lock (_gate)
        {
            if (!_samples.TryGetValue(linkId, out var list))
            {
                list = [];
                _samples[linkId] = list;
            }

            list.AddRange(samples);
            Queue();
        }
    }

    public void SetState(LiveLinkState state)
    {
        lock (_gate)
        {
            _states[state.LinkId] = state;
            Queue();
        }
    }

    /// <summary>Takes everything waiting, as the pushes to send.</summary>
    public List<LivePush> Take()
    {
        lock (_gate)
        {
            var pushes = new List<LivePush>(_samples.Count + _states.Count);
            foreach (var (linkId, samples) in _samples)
            {
                pushes.Add(LivePush.ForSamples(linkId, samples));
            }

            foreach (var (linkId, state) in _states)
            {
                pushes.Add(LivePush.ForState(linkId, state));
            }

            _samples = [];
            _states = [];
            _queued = false;
            return pushes;
        }
    }

    private void Queue()
    {
        if (!_queued)
        {
            _queued = true;
            dirty.Enqueue(this);
        }
    }
}

/// <summary>One message to a dashboard: a link's new samples or its latest state.</summary>
internal readonly record struct LivePush(LivePushKind Kind, Guid LinkId, IReadOnlyList<MemberSample>? Samples, LiveLinkState? State)
{
    public static LivePush ForSamples(Guid linkId, IReadOnlyList<MemberSample> samples) => new(LivePushKind.Samples, linkId, samples, null);

    public static LivePush ForState(Guid linkId, LiveLinkState state) => new(LivePushKind.State, linkId, null, state);

    public Task SendAsync(ILiveClient client) => Kind switch
    {
        LivePushKind.Samples => client.LinkSamples(LinkId, Samples!),
        LivePushKind.State => client.LinkState(LinkId, State!),
        _ => throw new InvalidOperationException($"unknown push kind {Kind}"),
    };
}

internal enum LivePushKind
{
    Samples,
    State,
}

/// <summary>A watched link: its ring buffer and who follows it directly.</summary>
internal sealed class LinkFeed(Guid linkId, Guid hostId, bool loaded)
{
    private int _loadClaimed = loaded ? 1 : 0;

    public Guid LinkId { get; } = linkId;

    public Guid HostId { get; } = hostId;

    public SampleRingBuffer Ring { get; } = new();

    public ConcurrentDictionary<string, LiveSubscription> Subscribers { get; } = new();

    /// <summary>Completes when the ring buffer holds the link's recent past from the database.</summary>
    public TaskCompletionSource Loaded { get; } = CreateLoaded(loaded);

    public long LastWatched { get; set; }

    /// <summary>The link's own members (its spec's), as the latest subscriber read them: what <see cref="LiveLinkView.Own"/> selects.</summary>
    public IReadOnlySet<string> OwnMembers { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True for the one caller that loads the ring buffer.</summary>
    public bool TryClaimLoad() => Interlocked.Exchange(ref _loadClaimed, 1) == 0;

    private static TaskCompletionSource CreateLoaded(bool loaded)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (loaded)
        {
            source.SetResult();
        }

        return source;
    }
}

/// <summary>A watched host: who follows all its links.</summary>
internal sealed class HostFeed
{
    public ConcurrentDictionary<string, LiveSubscription> Subscribers { get; } = new();
}

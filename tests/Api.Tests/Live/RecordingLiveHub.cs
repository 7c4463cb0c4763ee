using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// An <see cref="IHubContext{THub,T}"/> for the live hub that records what would be pushed, by connection. A push to a
/// connection in <see cref="Stalled"/> is recorded but never completes, like a write to a client that stopped reading.
/// </summary>
internal sealed class RecordingLiveHub : IHubContext<LiveHub, ILiveClient>
{
    public RecordingLiveHub()
    {
        Clients = new RecordingClients(this);
    }

    public List<(string Connection, string Method, Guid LinkId, object Payload)> Pushes { get; } = [];

    public HashSet<string> Stalled { get; } = [];

    private Task Record(string connection, string method, Guid linkId, object payload)
    {
        lock (Pushes)
        {
            Pushes.Add((connection, method, linkId, payload));
            return Stalled.Contains(connection) ? new TaskCompletionSource().Task : Task.CompletedTask;
        }
    }

    public IHubClients<ILiveClient> Clients { get; }

    public IGroupManager Groups { get; } = new NoGroups();

    private sealed class RecordingClients(RecordingLiveHub owner) : IHubClients<ILiveClient>
    {
        public ILiveClient All => new Client(owner, "*");

        public ILiveClient AllExcept(IReadOnlyList<string> excludedConnectionIds) => All;

        public ILiveClient Client(string connectionId) => new Client(owner, connectionId);

        public ILiveClient Clients(IReadOnlyList<string> connectionIds) => All;

        public ILiveClient Group(string groupName) => All;

        public ILiveClient GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => All;

        public ILiveClient Groups(IReadOnlyList<string> groupNames) => All;

        public ILiveClient User(string userId) => All;

        public ILiveClient Users(IReadOnlyList<string> userIds) => All;
    }

    private sealed class NoGroups : IGroupManager
    {
        public Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class Client(RecordingLiveHub owner, string connection) : ILiveClient
    {
        public Task LinkSamples(Guid linkId, IReadOnlyList<MemberSample> samples) => owner.Record(connection, nameof(LinkSamples), linkId, samples);

        public Task LinkState(Guid linkId, LiveLinkState state) => owner.Record(connection, nameof(LinkState), linkId, state);

        public Task FleetChanged() => owner.Record(connection, nameof(FleetChanged), Guid.Empty, connection);
    }
}

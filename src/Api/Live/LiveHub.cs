using Fleet.Api.Security;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Live;

/// <summary>
/// <c>/hubs/live</c>: dashboards (users and API keys with any role; never agents) follow links and hosts
/// (<see cref="ILiveHub"/>, documented in docs/agent.md).
/// </summary>
[Authorize(Policy = FleetPolicies.Viewer)]
public sealed class LiveHub(LiveFanout fanout, LiveFleetOverview fleet) : Hub<ILiveClient>, ILiveHub
{
    public Task<LinkLiveSnapshot> SubscribeLink(Guid linkId) => fanout.SubscribeLinkAsync(Context.ConnectionId, linkId, Context.ConnectionAborted);

    public Task<LinkLiveSnapshot> SubscribeLinkView(Guid linkId, LiveLinkView view) =>
        fanout.SubscribeLinkAsync(Context.ConnectionId, linkId, view ?? throw new HubException("a view is required"), Context.ConnectionAborted);

    public Task UnsubscribeLink(Guid linkId)
    {
        fanout.Unsubscribe(Context.ConnectionId, host: false, linkId);
        return Task.CompletedTask;
    }

    public Task<HostLiveSnapshot> SubscribeHost(Guid hostId) => fanout.SubscribeHostAsync(Context.ConnectionId, hostId, Context.ConnectionAborted);

    public Task UnsubscribeHost(Guid hostId)
    {
        fanout.Unsubscribe(Context.ConnectionId, host: true, hostId);
        return Task.CompletedTask;
    }

    public Task SubscribeFleet() => fleet.SubscribeAsync(Context.ConnectionId, Context.ConnectionAborted);

    public Task UnsubscribeFleet() => fleet.UnsubscribeAsync(Context.ConnectionId);

    public override Task OnConnectedAsync()
    {
        fanout.Connected(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        fanout.Disconnected(Context.ConnectionId);
        fleet.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

using System.Collections.Concurrent;
using System.Net;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Tests.Support;

/// <summary>
/// A stand-in for the Api's agent hub on loopback, for the agent's unit tests: real Kestrel, real SignalR, real
/// WebSockets, with the hub contract from Fleet.Contracts; storage is a dictionary that survives a "restart".
/// </summary>
internal sealed class TestAgentApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private TestAgentApi(WebApplication app, TestHubState state, Uri url)
    {
        _app = app;
        State = state;
        Url = url;
    }

    public TestHubState State { get; }

    public Uri Url { get; }

    /// <summary>
    /// Starts the hub on <paramref name="address"/> (loopback by default; an agent in a namespace needs a veth address);
    /// <paramref name="transports"/> narrows what it offers (a proxy that blocks WebSockets).
    /// </summary>
    public static async Task<TestAgentApi> StartAsync(TestHubState state, int port = 0, IPAddress? address = null, HttpTransportType transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(address ?? IPAddress.Loopback, port));
        builder.Services.AddSingleton(state);
        builder.Services.AddSignalR(o => o.EnableDetailedErrors = true)
            .AddJsonProtocol(options => FleetJson.Configure(options.PayloadSerializerOptions))
            .AddMessagePackProtocol();
        var app = builder.Build();
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + state.Credential)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.MapHub<TestAgentHub>(HubRoutes.Agent, o =>
        {
            o.AllowStatefulReconnects = true;
            o.Transports = transports;
        });
        await app.StartAsync();
        var listening = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestAgentApi(app, state, new Uri(listening));
    }

    public Task PushAsync(DesiredLink link) =>
        _app.Services.GetRequiredService<IHubContext<TestAgentHub, IAgentClient>>().Clients.All.ApplyLink(link);

    public Task OrderSpeedTestAsync(SpeedTestOrder order) =>
        _app.Services.GetRequiredService<IHubContext<TestAgentHub, IAgentClient>>().Clients.All.RunSpeedTest(order);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the test hub saw; shared across restarts like a database.</summary>
internal sealed class TestHubState(Guid hostId, string credential)
{
    public Guid HostId { get; } = hostId;

    public string Credential { get; set; } = credential;

    public ConcurrentDictionary<long, SampleBatch> Stored { get; } = new();

    public ConcurrentQueue<AgentHello> Hellos { get; } = new();

    /// <summary>The transport of each connection that said hello.</summary>
    public ConcurrentQueue<HttpTransportType> Transports { get; } = new();

    public ConcurrentQueue<ObservedLinkState> States { get; } = new();

    /// <summary>Inventories sent after the hello (<see cref="IAgentHub.ReportInventory"/>).</summary>
    public ConcurrentQueue<AgentHello> Inventories { get; } = new();

    /// <summary>Speed test reports (<see cref="IAgentHub.ReportSpeedTest"/>).</summary>
    public ConcurrentQueue<SpeedTestReport> SpeedTests { get; } = new();

    public int Duplicates;

    public int Received;

    /// <summary>Answer AwaitingConfirm reports with ConfirmLink (the Api's rule).</summary>
    public bool Confirm { get; set; } = true;

    public List<DesiredLink> Desired { get; } = [];
}

internal sealed class TestAgentHub(TestHubState state) : Hub<IAgentClient>, IAgentHub
{
    public Task<HelloResult> Hello(AgentHello hello)
    {
        state.Hellos.Enqueue(hello);
        state.Transports.Enqueue(Context.Features.Get<IHttpTransportFeature>()!.TransportType);
        lock (state.Desired)
        {
            return Task.FromResult(new HelloResult(state.HostId, [.. state.Desired]));
        }
    }

    public Task<BatchAck> ReportBatch(SampleBatch batch)
    {
        Interlocked.Increment(ref state.Received);
        if (!state.Stored.TryAdd(batch.Sequence, batch))
        {
            Interlocked.Increment(ref state.Duplicates);
            return Task.FromResult(new BatchAck(batch.Sequence, Duplicate: true));
        }

        return Task.FromResult(new BatchAck(batch.Sequence));
    }

    public Task ReportInventory(AgentHello inventory)
    {
        state.Inventories.Enqueue(inventory);
        return Task.CompletedTask;
    }

    public Task ReportSpeedTest(SpeedTestReport report)
    {
        state.SpeedTests.Enqueue(report);
        return Task.CompletedTask;
    }

    public async Task ReportLinkState(ObservedLinkState linkState)
    {
        state.States.Enqueue(linkState);
        if (state.Confirm && linkState.AwaitingConfirm)
        {
            await Clients.Caller.ConfirmLink(new LinkConfirmation(linkState.LinkId, linkState.TargetGeneration));
        }
    }
}

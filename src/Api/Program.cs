using Fleet.Api.Agents;
using Fleet.Api.Dashboard;
using Fleet.Api.Demo;
using Fleet.Api.Hosting;

args = DemoHosting.TakeSwitch(args, out var demo);
var builder = WebApplication.CreateBuilder(args);
builder.AddFleetApi();
builder.AddFleetDashboard();
builder.AddAgentHub();
builder.AddDemoFleet(demo);

var app = builder.Build();
app.MapFleetApi();
app.MapFleetDashboard();
app.MapAgentHub();
return await app.RunFleetAsync(args);

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

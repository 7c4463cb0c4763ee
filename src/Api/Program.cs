using Fleet.Api.Dashboard;
using Fleet.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFleetApi();
builder.AddFleetDashboard();

var app = builder.Build();
app.MapFleetApi();
app.MapFleetDashboard();
return await app.RunFleetAsync(args);

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

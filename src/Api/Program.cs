using Fleet.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFleetApi();

var app = builder.Build();
app.MapFleetApi();
return await app.RunFleetAsync(args);

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;

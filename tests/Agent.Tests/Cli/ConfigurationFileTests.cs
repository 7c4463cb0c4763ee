using Fleet.Agent.Cli;
using Fleet.Agent.Daemon;
using Fleet.Agent.Identity;
using Fleet.Agent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Fleet.Agent.Tests.Cli;

/// <summary>
/// One configuration file, read by the agent itself wherever it runs (issue 20, item 5): every <c>run</c> setting and
/// the OpenTelemetry export come from <c>agent.json</c>; options given on the command line win over it.
/// </summary>
public sealed class ConfigurationFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_DataDirectoryFromTheFile_IsTheOneUsedWithoutDataDirOption()
    {
        var configured = Directory.CreateDirectory(_dir.Combine("from-file")).FullName;
        await File.WriteAllTextAsync(_dir.Combine("agent.json"), $$"""
            // Comments and trailing commas are allowed, like the package's file.
            { "Agent": { "DataDirectory": "{{configured}}", }, }
            """, TestContext.Current.CancellationToken);

        var (code, _, error) = await CommandLine.InvokeAsync(["run", "--config", _dir.Combine("agent.json")], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.NotEnrolled, code);
        Assert.Contains(Path.Combine(configured, IdentityStore.FileName), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DataDirOption_WinsOverTheFile()
    {
        var given = Directory.CreateDirectory(_dir.Combine("from-option")).FullName;
        await File.WriteAllTextAsync(_dir.Combine("agent.json"), $$"""{ "Agent": { "DataDirectory": "{{_dir.Combine("from-file")}}" } }""", TestContext.Current.CancellationToken);

        var (code, _, error) = await CommandLine.InvokeAsync(["run", "--config", _dir.Combine("agent.json"), "--data-dir", given], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.NotEnrolled, code);
        Assert.Contains(Path.Combine(given, IdentityStore.FileName), error, StringComparison.Ordinal);
    }

    [Fact]
    public void PackageFile_BindsToTheDefaultsAndIsValid()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "Package", "agent.json"), optional: false).Build();
        var options = new AgentOptions();
        configuration.GetSection(AgentOptions.Section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);

        Assert.Equivalent(new AgentOptions(), options, strict: true);
        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
        Assert.Null(configuration[AgentTelemetry.EndpointVariable]);
    }

    [Theory]
    [InlineData("http://collector:4317", null, true)]
    [InlineData(null, "http://collector:4317", true)]
    [InlineData(null, null, false)]
    public void Telemetry_EndpointInTheFileOrTheEnvironment_SwitchesExportOn(string? inFile, string? inEnvironment, bool exported)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [AgentTelemetry.EndpointVariable] = inFile });
        var environment = new System.Collections.Hashtable();
        if (inEnvironment is not null)
        {
            environment[AgentTelemetry.EndpointVariable] = inEnvironment;
        }

        builder.AddAgentTelemetry(new AgentIdentity(new Uri("https://fleet.example"), Guid.CreateVersion7(), "fleet_a_x", DateTimeOffset.UtcNow), environment);
        using var app = builder.Build();

        Assert.Equal(exported, app.Services.GetService(typeof(TracerProvider)) is not null);
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Testing;

namespace Fleet.Agent.Tests.StandaloneStriper;

/// <summary><c>fleet-agent striper run</c> and <c>striper aggregate</c>, the real executable, one endpoint per namespace.</summary>
public sealed class StandaloneStriperCommandTests : IDisposable
{
    private static readonly string s_agent = Path.Combine(AppContext.BaseDirectory, "fleet-agent");
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-striper-cmd-").FullName;
    private readonly List<Process> _processes = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }

            process.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("run", """{"kind":"striper","name":"str0","members":[{"interface":"eth1"}],"striper":{"key":"c2hvcnQ="}}""", "striper.key|members[0]")]
    [InlineData("aggregate", """{"name":"agg0","interface":"eth1","port":0,"sites":[{"id":1,"paths":2,"prefixes":["10.1.1.1/24"],"striper":{"key":"c2hvcnQ="}}]}""",
        "port|sites[0].prefixes[0]|sites[0].striper.key")]
    public async Task InvalidConfig_ExitsWithUsageErrorAndReasons(string command, string config, string paths)
    {
        var path = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(path, config, Token);
        var process = Start(s_agent, "striper", command, "--config", path);

        await process.WaitForExitAsync(Token);

        var error = await process.StandardError.ReadToEndAsync(Token);
        Assert.Equal(2, process.ExitCode);
        Assert.All(paths.Split('|'), p => Assert.Contains(p, error, StringComparison.Ordinal));
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task Run_TwoEndpointsInNamespaces_TrafficFlowsReloadsOnSighupStopsCleanly()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var network = TestNetwork.Create("sc");
        var a = await network.AddNamespaceAsync("a");
        var b = await network.AddNamespaceAsync("b");
        for (var i = 0; i < 2; i++)
        {
            await network.AddVethAsync(a, $"a{i}", b, $"b{i}");
            await network.AddAddressAsync(a, $"a{i}", $"10.71.{i}.1/24");
            await network.AddAddressAsync(b, $"b{i}", $"10.71.{i}.2/24");
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var specA = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [new MemberSpec { Interface = "a0", Peer = "10.71.0.2:7200" }, new MemberSpec { Interface = "a1", Peer = "10.71.1.2:7200" }],
            Addresses = ["10.72.0.1/30"],
            Striper = new StriperOptions { Key = key, Scheduler = StripeSchedulerKind.RoundRobin },
        };
        var specB = specA with
        {
            Members = [new MemberSpec { Interface = "b0", LocalPort = 7200 }, new MemberSpec { Interface = "b1", LocalPort = 7200 }],
            Addresses = ["10.72.0.2/30"],
        };
        var configA = Write("a.json", specA);
        var configB = Write("b.json", specB);

        var endpointB = Start("ip", "netns", "exec", b, s_agent, "striper", "run", "--config", configB, "--stats-interval-ms", "100");
        var endpointA = Start("ip", "netns", "exec", a, s_agent, "striper", "run", "--config", configA, "--stats-interval-ms", "100");
        var statsA = Lines(endpointA);

        // Drain both endpoints' logs (a full stderr pipe would stall them) and keep A's for failure messages.
        var logA = Drain(endpointA);
        Drain(endpointB);
        await WaitForAsync(statsA, s => s.GetProperty("sessionEstablished").GetBoolean()
            && s.GetProperty("paths").EnumerateArray().All(p => p.GetProperty("health").GetString() == "up"));

        Assert.Equal(0, await network.PingLossAsync(a, "10.72.0.2", count: 5));

        // SIGHUP: the file now asks for active_backup; the running endpoint switches without a new session.
        Write("a.json", specA with { Striper = specA.Striper! with { Scheduler = StripeSchedulerKind.ActiveBackup } });
        await network.MustAsync("kill", "-HUP", endpointA.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var reloaded = await WaitForAsync(statsA, s => s.GetProperty("scheduler").GetString() == "active_backup");
        Assert.Equal(1, reloaded.GetProperty("sessions").GetInt64());
        Assert.Equal(0, await network.PingLossAsync(a, "10.72.0.2", count: 3));

        // SIGTERM: exits 0 and the TUN device is gone with it.
        await network.MustAsync("kill", "-TERM", endpointA.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await endpointA.WaitForExitAsync(Token);
        Assert.True(endpointA.ExitCode == 0, $"exit code {endpointA.ExitCode}; log: {Text(logA)}");
        Assert.False((await network.Runner.RunAsync("ip", ["-n", a, "link", "show", "dev", "str0"], cancellationToken: Token)).Succeeded);
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task Aggregate_SiteDialsIn_TrafficFlowsSiteRemovedOnSighupStopsCleanly()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var network = TestNetwork.Create("sg");
        var site = await network.AddNamespaceAsync("s");
        var hub = await network.AddNamespaceAsync("h");
        await network.AddVethAsync(site, "s0", hub, "h0");
        await network.AddAddressAsync(site, "s0", "10.73.0.1/24");
        await network.AddAddressAsync(hub, "h0", "10.73.0.2/24");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var siteSpec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [new MemberSpec { Interface = "s0", Peer = "10.73.0.2:7300" }],
            Addresses = ["10.74.1.1/16"],
            Striper = new StriperOptions { Key = key, SiteId = 7 },
        };
        var aggregatorSpec = new AggregatorSpec
        {
            Name = "agg0",
            Interface = "h0",
            Port = 7300,
            Addresses = ["10.74.0.1/16"],
            Sites = [new AggregatorSiteSpec { Id = 7, Paths = 1, Prefixes = ["10.74.1.0/24"], Striper = new StriperOptions { Key = key } }],
        };
        var configSite = Write("site.json", siteSpec);
        var configHub = Write("hub.json", aggregatorSpec);

        var aggregator = Start("ip", "netns", "exec", hub, s_agent, "striper", "aggregate", "--config", configHub, "--stats-interval-ms", "100");
        var stats = Lines(aggregator);
        var log = Drain(aggregator);
        var endpoint = Start("ip", "netns", "exec", site, s_agent, "striper", "run", "--config", configSite);
        Drain(endpoint);
        await WaitForAsync(stats, s => s.GetProperty("sites").EnumerateArray().Any(x => x.GetProperty("link").GetProperty("paths")[0].GetProperty("health").GetString() == "up"));

        Assert.Equal(0, await network.PingLossAsync(site, "10.74.0.1", count: 3));

        // SIGHUP: the file no longer has the site; the aggregator drops it and its traffic.
        Write("hub.json", aggregatorSpec with { Sites = [] });
        await network.MustAsync("kill", "-HUP", aggregator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitForAsync(stats, s => s.GetProperty("sites").GetArrayLength() == 0);
        Assert.Equal(100, await network.PingLossAsync(site, "10.74.0.1", count: 2));

        await network.MustAsync("kill", "-TERM", aggregator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await aggregator.WaitForExitAsync(Token);
        Assert.True(aggregator.ExitCode == 0, $"exit code {aggregator.ExitCode}; log: {Text(log)}");
        Assert.False((await network.Runner.RunAsync("ip", ["-n", hub, "link", "show", "dev", "agg0"], cancellationToken: Token)).Succeeded);
    }

    private string Write<T>(string name, T spec)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, JsonSerializer.Serialize(spec, FleetJson.Options));
        return path;
    }

    private Process Start(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }

    /// <summary>Reads an endpoint's log (stderr) as it comes; the builder is locked while appended to.</summary>
    private static System.Text.StringBuilder Drain(Process process)
    {
        var log = new System.Text.StringBuilder();
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        });
        return log;
    }

    private static string Text(System.Text.StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>The JSON lines an endpoint prints, as they come.</summary>
    private static System.Threading.Channels.ChannelReader<string> Lines(Process process)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<string>();
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                await channel.Writer.WriteAsync(line);
            }

            channel.Writer.Complete();
        });
        return channel.Reader;
    }

    private static async Task<JsonElement> WaitForAsync(System.Threading.Channels.ChannelReader<string> lines, Func<JsonElement, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        await foreach (var line in lines.ReadAllAsync(timeout.Token))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            var stats = JsonDocument.Parse(line).RootElement.Clone();
            if (condition(stats))
            {
                return stats;
            }
        }

        throw new TimeoutException("the endpoint never reported the expected state");
    }
}

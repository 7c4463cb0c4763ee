using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Queue;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Status;

public sealed class StatusCommandTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000601");
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private AgentStatus WriteStatus(HubConnectionStatus connection = HubConnectionStatus.Disconnected)
    {
        new IdentityStore(_dir.Path).Save(new AgentIdentity(new Uri("https://fleet.example.net"), s_host, "fleet_a_secret", _time.GetUtcNow()));
        var status = new AgentStatus
        {
            ProcessId = Environment.ProcessId,
            AgentVersion = "1.2.3",
            HostId = s_host,
            Server = "https://fleet.example.net/",
            StartedAt = _time.GetUtcNow(),
            UpdatedAt = _time.GetUtcNow(),
            SampleIntervalMs = 1000,
            Connection = new ConnectionStatus(connection, _time.GetUtcNow(), 3, connection == HubConnectionStatus.Connected ? null : "connection refused"),
            Queue = new BatchQueueStats(12, 4096, 256L * 1024 * 1024, 0, 40),
            Links =
            [
                new LinkStatus
                {
                    LinkId = Guid.Parse("0197a000-0000-7000-8000-000000000602"),
                    Name = "bond0",
                    Kind = LinkKind.Bond,
                    Phase = LinkPhase.RolledBack,
                    ObservedGeneration = 1,
                    TargetGeneration = 2,
                    Error = "generation 2 was not confirmed by the control plane within 30 s; generation 1 restored",
                    Members = [new MemberStatus("eth0", MemberHealth.Up), new MemberStatus("eth1", MemberHealth.Down)],
                },
            ],
        };
        AtomicFile.WriteJson(DataDirectory.StatusFile(_dir.Path), status, AtomicFile.WorldReadable);
        return status;
    }

    [Fact]
    public void Run_Text_ShowsConnectionLinksPhasesAndErrors()
    {
        WriteStatus();
        using var output = new StringWriter();

        using var error = new StringWriter();
        var code = StatusCommand.Run(_dir.Path, json: false, output, error, _time);
        Assert.Equal("", error.ToString());

        var text = output.ToString();
        Assert.Equal(ExitCodes.ServerUnavailable, code);
        Assert.Contains("agent     running", text);
        Assert.Contains("api       disconnected", text);
        Assert.Contains("last error: connection refused", text);
        Assert.Contains("12 unacknowledged batches", text);
        Assert.Contains("bond0 (bond, 0197a000-0000-7000-8000-000000000602): rolledback, generation 1 (target 2)", text);
        Assert.Contains("error: generation 2 was not confirmed", text);
        Assert.Contains("member eth1: down", text);
        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public void Run_Json_PrintsParsableView()
    {
        WriteStatus();
        using var output = new StringWriter();

        var code = StatusCommand.Run(_dir.Path, json: true, output, TextWriter.Null, _time);

        using var document = JsonDocument.Parse(output.ToString());
        Assert.Equal(ExitCodes.ServerUnavailable, code);
        Assert.True(document.RootElement.GetProperty("running").GetBoolean());
        Assert.Equal("disconnected", document.RootElement.GetProperty("status").GetProperty("connection").GetProperty("state").GetString());
        Assert.Equal("rolled_back", document.RootElement.GetProperty("status").GetProperty("links")[0].GetProperty("phase").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_RunningAndConnected_ExitsSuccess(bool json)
    {
        WriteStatus(HubConnectionStatus.Connected);
        using var output = new StringWriter();

        var code = StatusCommand.Run(_dir.Path, json, output, TextWriter.Null, _time);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(json ? "\"connected\"" : "api       connected", output.ToString());
    }

    [Fact]
    public void Run_Connecting_IsNotConnected()
    {
        WriteStatus(HubConnectionStatus.Connecting);

        Assert.Equal(ExitCodes.ServerUnavailable, StatusCommand.Run(_dir.Path, json: false, TextWriter.Null, TextWriter.Null, _time));
    }

    [Fact]
    public void Run_EnrolledButNeverStarted_ExitsNotRunning()
    {
        new IdentityStore(_dir.Path).Save(new AgentIdentity(new Uri("https://fleet.example.net"), s_host, "fleet_a_secret", _time.GetUtcNow()));
        using var output = new StringWriter();

        var code = StatusCommand.Run(_dir.Path, json: false, output, TextWriter.Null, _time);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains("not running", output.ToString());
    }

    [Fact]
    public void Run_StaleStatus_SaysNotRunning()
    {
        WriteStatus(HubConnectionStatus.Connected);
        _time.Advance(TimeSpan.FromMinutes(2));
        using var output = new StringWriter();

        var code = StatusCommand.Run(_dir.Path, json: false, output, TextWriter.Null, _time);

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains("NOT RUNNING", output.ToString());
    }

    [Fact]
    public void Run_NotEnrolled_ExitsNotEnrolled()
    {
        using var error = new StringWriter();

        var code = StatusCommand.Run(_dir.Path, json: false, TextWriter.Null, error, _time);

        Assert.Equal(ExitCodes.NotEnrolled, code);
        Assert.Contains("not enrolled", error.ToString());
    }
}

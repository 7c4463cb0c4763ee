using Fleet.Agent.Doctor;
using Fleet.Agent.SpeedTests;
using Fleet.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.SpeedTests;

/// <summary>
/// The files between <c>fleet-agent doctor --speed-test</c> and the daemon (docs/doctor.md, "Path speed test") in a real
/// temporary data directory: a command stopped while it waits leaves nothing behind, and an answer nobody fetches does
/// not stay.
/// </summary>
public sealed class SpeedTestFilesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-speed-test-files-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Command_StoppedWhileWaiting_WithdrawsItsRequest()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var requests = SpeedTestFiles.Requests(_data);
        var test = new HostSpeedTests(_data, TimeProvider.System)
            .RunAsync(new LocalLink(Guid.NewGuid(), Specs.Striper("str0", "eth0", "eth1")), 10e6, stop.Token);
        while (!Directory.Exists(requests) || Directory.GetFiles(requests).Length == 0)
        {
            await Task.Delay(10, Cancel);
        }

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test);
        Assert.Empty(Directory.GetFiles(requests));
    }

    [Fact]
    public async Task Daemon_AnswersNobodyFetched_RemovedAfterTwiceTheWait_FreshOnesKept()
    {
        var stale = SpeedTestFiles.Result(_data, Guid.NewGuid());
        var fresh = SpeedTestFiles.Result(_data, Guid.NewGuid());
        Directory.CreateDirectory(SpeedTestFiles.Answers(_data));
        await File.WriteAllTextAsync(stale, "{}", Cancel);
        await File.WriteAllTextAsync(fresh, "{}", Cancel);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - 2 * SpeedTestFiles.AnswerWait - TimeSpan.FromSeconds(5));
        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow - SpeedTestFiles.AnswerWait);
        var inbox = new SpeedTestInbox(_data, new NoTester(), TimeProvider.System, NullLogger<SpeedTestInbox>.Instance);

        await inbox.RunWaitingAsync(Cancel);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>No request is waiting in these tests, so nothing is ever run.</summary>
    private sealed class NoTester : ILinkSpeedTester
    {
        public Task<SpeedTestOutcome> RunAsync(string link, double maxRateBitsPerSecond, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no test was asked for");
    }
}

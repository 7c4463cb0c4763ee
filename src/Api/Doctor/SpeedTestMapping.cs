using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Doctor;

/// <summary>A stored speed test as REST and the dashboard show it, with the timeout judged at the time of reading.</summary>
public static class SpeedTestMapping
{
    /// <summary>Whether <paramref name="test"/> is pending but past <see cref="SpeedTestCommands.Timeout"/> at <paramref name="now"/>.</summary>
    public static bool IsExpired(SpeedTestEntity test, DateTimeOffset now) =>
        test.State == SpeedTestState.Pending && now.UtcDateTime - test.RequestedAt >= SpeedTestCommands.Timeout;

    /// <summary>Marks an expired pending test timed out (the next start of its link writes it).</summary>
    public static void Expire(SpeedTestEntity test)
    {
        test.State = SpeedTestState.TimedOut;
        test.FinishedAt = test.RequestedAt + SpeedTestCommands.Timeout;
        test.Error = TimedOutError;
    }

    /// <summary>What a timed-out test says.</summary>
    public static string TimedOutError { get; } =
        $"the agent did not answer within {SpeedTestCommands.Timeout.TotalSeconds:0} s (it went offline, or lost the order)";

    public static SpeedTestDto ToDto(SpeedTestEntity test, DateTimeOffset now)
    {
        var expired = IsExpired(test, now);
        return new SpeedTestDto
        {
            Id = test.Id,
            LinkId = test.LinkId,
            State = expired ? SpeedTestState.TimedOut : test.State,
            RequestedBy = test.RequestedBy,
            RequestedAt = test.RequestedAt,
            FinishedAt = expired ? test.RequestedAt + SpeedTestCommands.Timeout : test.FinishedAt,
            MaxMbitPerPath = test.MaxMbitPerPath,
            Error = expired ? TimedOutError : test.Error,
            Result = test.Result,
            InterfaceSpeeds = test.InterfaceSpeeds,
            Peer = SpeedTestPeers.ToDto(test, now),
        };
    }

    /// <summary>The result resource's path.</summary>
    public static string Location(SpeedTestEntity test) => $"/api/v1/links/{test.LinkId}/speed-tests/{test.Id}";
}

using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Striper.Engine;

/// <summary>The engine's log messages (events 4000–4009).</summary>
public sealed partial class StriperEngine
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Striper {Device} started: MTU {Mtu}, TUN {Features}, {Paths} paths, scheduler {Scheduler}")]
    private partial void LogStarted(string device, int mtu, string features, int paths, string scheduler);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Striper {Device}: session {Session} established")]
    private partial void LogSessionEstablished(string device, long session);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Striper {Device}: path {Member} {From} -> {To} ({Reason})")]
    private partial void LogPathStateChanged(string device, string member, MemberHealth from, MemberHealth to, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Debug, Message = "Striper {Device}: path {Member} {From} -> {To} ({Reason})")]
    private partial void LogPathFlapped(string device, string member, MemberHealth from, MemberHealth to, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Striper {Device}: scheduler now {Scheduler}")]
    private partial void LogSchedulerChanged(string device, string scheduler);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Striper {Device}: {Classes} traffic classes, tiers {Tiers}")]
    private partial void LogPolicyChanged(string device, int classes, string tiers);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Striper {Device}: {Loop} loop failed; restarting it")]
    private partial void LogLoopFailed(string loop, string device, Exception exception);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Striper {Device}: a new session's tag is another session's; handshaking again with a fresh share")]
    private partial void LogSessionTagTaken(string device);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Striper {Device} stopped")]
    private partial void LogStopped(string device);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Striper {Device}: the peer on {Member} speaks striper protocol version {PeerVersion}, this end {Version}; its hellos are refused until both ends run the same Fleet release")]
    private partial void LogPeerVersionMismatch(string device, string member, int peerVersion, int version);
}

using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Engine.Receiving;
using Fleet.Striper.Health;

namespace Fleet.Striper.Engine;

/// <summary>Reads every counter of a running engine into a <see cref="StriperSnapshot"/> (each value atomically; together they are not a transaction).</summary>
internal static class SnapshotCollector
{
    public static StriperSnapshot Collect(StriperEngine engine, ReceiveLoop receive, TransmitLoop transmit, ControlLoop control)
    {
        var usable = engine.PathSet.UsableMask;
        var overflow = engine.PathSet.OverflowMask;
        var lastDivert = Volatile.Read(ref transmit.Overflow.LastDivertSeconds);
        var overflowInUse = !double.IsNaN(lastDivert) && MonotonicClock.Seconds(MonotonicClock.Now()) - lastDivert < 1;
        var paths = new PathSnapshot[engine.Paths.Length];
        long authFailures = 0, replays = 0, malformed = 0, versionMismatch = 0, unknown = 0, duplicates = 0;
        for (var i = 0; i < paths.Length; i++)
        {
            var rx = engine.Paths[i].Rx;
            authFailures += Volatile.Read(ref rx.AuthFailures);
            replays += Volatile.Read(ref rx.Replays);
            malformed += Volatile.Read(ref rx.Malformed);
            versionMismatch += Volatile.Read(ref rx.VersionMismatch);
            unknown += Volatile.Read(ref rx.UnknownSession);
            duplicates += Volatile.Read(ref rx.Duplicates);
            paths[i] = Path(engine.Paths[i], usable, overflow, overflowInUse) with { MtuProbeBytes = engine.MaxDatagram };
        }

        var session = engine.Session;
        var reorder = receive.Resequencer.Counters;
        var writer = receive.WriterCounters;
        var sending = transmit.Counters;
        return new StriperSnapshot
        {
            Time = DateTimeOffset.UtcNow,
            Device = engine.Tun.Name,
            Mtu = engine.TunMtu,
            Offloads = engine.Tun.Features.ToString(),
            SessionEstablished = session is not null,
            Sessions = engine.Sessions.Count,
            Scheduler = engine.Scheduler.Kind,
            TxEpoch = session?.CurrentTx.Epoch ?? 0,
            Rekeys = control.Rekeys,
            ControlStalls = control.Stalls,
            RxEpoch = session?.RxEpoch ?? 0,
            ReorderDepth = reorder.Held,
            ReorderDepthMax = receive.Resequencer.TakeHeldMax(),
            HoldMs = receive.HoldMilliseconds,
            Late = reorder.Late,
            Duplicates = duplicates,
            Lost = reorder.Lost,
            EarlyReleases = reorder.EarlyReleases,
            TimeoutReleases = reorder.TimeoutReleases,
            // A bad epoch is already one of its path's auth failures; adding it again counted it twice.
            AuthFailures = authFailures,
            BadEpoch = Volatile.Read(ref receive.Counters.BadEpoch),
            ReflectedHellos = Volatile.Read(ref receive.Counters.ReflectedHellos),
            SpeedTestLoadReceived = Volatile.Read(ref receive.Counters.SpeedTestLoad),
            SpeedTestAcksSent = Volatile.Read(ref receive.Counters.SpeedTestAcks),
            Replays = replays,
            Malformed = malformed,
            VersionMismatch = versionMismatch,
            UnknownSession = unknown,
            TunReadPackets = Volatile.Read(ref sending.TunPackets),
            TunReadBytes = Volatile.Read(ref sending.TunBytes),
            TunWritePackets = writer.Packets,
            TunWriteBytes = writer.Bytes,
            TunWrites = writer.Writes,
            TunWriteErrors = writer.Errors,
            TunLastWriteErrno = writer.LastError,
            DropNoSession = Volatile.Read(ref sending.NoSession),
            DropNoPath = Volatile.Read(ref sending.NoPath),
            DropTooBig = Volatile.Read(ref sending.TooBig),
            DropBadOffload = Volatile.Read(ref sending.BadOffload),
            TransmitCpuPercent = engine.TransmitCpu.Percent,
            ReceiveCpuPercent = engine.ReceiveCpu.Percent,
            DataPathAllocatedBytes = Volatile.Read(ref sending.AllocatedBytes) + Volatile.Read(ref receive.Counters.AllocatedBytes),
            OverflowPackets = Volatile.Read(ref transmit.Overflow.DivertedPackets),
            OverflowBytes = Volatile.Read(ref transmit.Overflow.DivertedBytes),
            FecRecoveredMalformed = receive.RecoveredMalformed,
            Paths = paths,
            Classes = Classes(engine, receive),
        };
    }

    private static ClassSnapshot[] Classes(StriperEngine engine, ReceiveLoop receive)
    {
        var table = engine.Classes;
        var result = new ClassSnapshot[table.Classes.Length + 1];
        result[0] = Class(engine, table.Default, receive.Classes[0]);
        for (var i = 0; i < table.Classes.Length; i++)
        {
            result[i + 1] = Class(engine, table.Classes[i], receive.Classes[i + 1]);
        }

        return result;
    }

    private static ClassSnapshot Class(StriperEngine engine, TrafficClassRuntime trafficClass, ClassRxCounters rx)
    {
        var tx = trafficClass.Counters;
        var bytes = Volatile.Read(ref tx.Bytes);
        var extra = Volatile.Read(ref tx.DuplicateBytes) + Volatile.Read(ref tx.FecParityBytes);
        var pinned = trafficClass.Pin?.Current ?? -1;
        return new ClassSnapshot
        {
            Name = trafficClass.Name,
            Action = trafficClass.Behaviour switch
            {
                ClassBehaviour.Default => "default",
                ClassBehaviour.Stripe => "stripe",
                ClassBehaviour.Pin => "pin",
                ClassBehaviour.Duplicate => "duplicate",
                ClassBehaviour.Fec => "fec",
                _ => throw new InvalidOperationException($"unknown behaviour {trafficClass.Behaviour}"),
            },
            TxPackets = Volatile.Read(ref tx.Packets),
            TxBytes = bytes,
            DuplicatesSent = Volatile.Read(ref tx.DuplicatesSent),
            DuplicateBytes = Volatile.Read(ref tx.DuplicateBytes),
            FecBlocks = Volatile.Read(ref tx.FecBlocks),
            FecParityPackets = Volatile.Read(ref tx.FecParityPackets),
            FecParityBytes = Volatile.Read(ref tx.FecParityBytes),
            FecUnprotected = Volatile.Read(ref tx.FecUnprotected),
            FecBlockData = Volatile.Read(ref tx.FecPlannedData),
            FecBlockParity = Volatile.Read(ref tx.FecPlannedParity),
            OverheadPercent = bytes > 0 ? 100.0 * extra / bytes : 0,
            DropNoPath = Volatile.Read(ref tx.NoPath),
            PinnedMember = pinned >= 0 && pinned < engine.Paths.Length ? engine.Paths[pinned].Member.Interface : null,
            RxPackets = Volatile.Read(ref rx.Packets),
            RxBytes = Volatile.Read(ref rx.Bytes),
            DuplicatesDropped = Volatile.Read(ref rx.DuplicatesDropped),
            FecRecovered = Volatile.Read(ref rx.FecRecovered),
            FecLost = Volatile.Read(ref rx.FecLost),
        };
    }

    private static PathSnapshot Path(PathRuntime path, uint usableMask, uint overflowMask, bool overflowInUse)
    {
        var usable = (usableMask & (1u << path.Index)) != 0;
        var tx = path.Tx;
        var rx = path.Rx;
        PathHealth health;
        double srtt, rttvar, minRtt, rate, loss;
        double? jitter;
        MemberHealth state;
        string reason;
        long sent, answered, missed, leftUp;
        lock (path.HealthLock)
        {
            health = path.Health;
            srtt = health.SrttSeconds;
            rttvar = health.RttVarSeconds;
            minRtt = health.MinRttSeconds;
            jitter = health.JitterMs;
            state = health.State;
            reason = health.Reason;
            sent = health.ProbesSent;
            answered = health.ProbesAnswered;
            missed = health.ProbesMissed;
            leftUp = health.TimesLeftUp;
            rate = path.Capacity.RateBitsPerSecond;
            loss = path.LossRatio;
        }

        var member = path.Member;
        return new PathSnapshot
        {
            Index = path.Index,
            Interface = member.Interface,
            AdminState = member.AdminState,
            Health = member.AdminState == MemberAdminState.Disabled && state == MemberHealth.Unknown ? MemberHealth.Unknown : state,
            HealthReason = member.AdminState == MemberAdminState.Disabled ? "disabled" : reason,
            Usable = usable,
            Tier = path.Tier,
            IdleReason = TierSelection.IdleReason(path, state, reason, usableMask, overflowMask, overflowInUse),
            LocalPort = path.Socket.LocalPort,
            Peer = path.Peer?.Address.ToString(),
            Gso = path.Socket.GsoEnabled,
            Gro = path.Socket.GroEnabled,
            TxPackets = Volatile.Read(ref tx.Packets),
            TxBytes = Volatile.Read(ref tx.Bytes),
            TxDataPackets = Volatile.Read(ref tx.DataPackets),
            TxDataBytes = Volatile.Read(ref tx.DataBytes),
            TxDropBufferFull = Volatile.Read(ref tx.DropBufferFull),
            TxDropLinkDown = Volatile.Read(ref tx.DropLinkDown),
            TxDropTooBig = Volatile.Read(ref tx.DropTooBig),
            TxDropNoPeer = Volatile.Read(ref tx.DropNoPeer),
            TxDropFailed = Volatile.Read(ref tx.DropFailed),
            RxPackets = Volatile.Read(ref rx.Packets),
            RxBytes = Volatile.Read(ref rx.Bytes),
            RxDataPackets = Volatile.Read(ref rx.DataPackets),
            RxDataBytes = Volatile.Read(ref rx.DataBytes),
            RxMalformed = Volatile.Read(ref rx.Malformed),
            RxVersionMismatch = Volatile.Read(ref rx.VersionMismatch),
            RxAuthFailures = Volatile.Read(ref rx.AuthFailures),
            RxReplays = Volatile.Read(ref rx.Replays),
            RxUnknownSession = Volatile.Read(ref rx.UnknownSession),
            RxDuplicates = Volatile.Read(ref rx.Duplicates),
            RxNoBuffer = Volatile.Read(ref rx.NoBuffer),
            RxLost = Volatile.Read(ref rx.LostPackets),
            AddressChanges = Volatile.Read(ref rx.AddressChanges),
            SrttMs = srtt > 0 ? srtt * 1000 : null,
            RttVarMs = srtt > 0 ? rttvar * 1000 : null,
            MinRttMs = minRtt > 0 ? minRtt * 1000 : null,
            JitterMs = jitter,
            LossPercent = loss * 100,
            EstimatedRateBitsPerSecond = double.IsNaN(rate) ? null : rate,
            ProbesSent = sent,
            ProbesAnswered = answered,
            ProbesMissed = missed,
            TimesLeftUp = leftUp,
            SmallProbesSent = path.MtuProbe.SmallSent,
            SmallProbesLost = path.MtuProbe.SmallLost,
            LargeProbesSent = path.MtuProbe.LargeSent,
            LargeProbesLost = path.MtuProbe.LargeLost,
            LargeProbesTooBig = path.MtuProbe.LargeTooBig,
            SmallProbeLossPercent = path.MtuProbe.SmallLossPercent,
            LargeProbeLossPercent = path.MtuProbe.LargeLossPercent,
        };
    }
}

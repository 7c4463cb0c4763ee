using System.Diagnostics;
using Fleet.Agent.Cli;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// The MPTCP faults of docs/doctor.md, "Tested faults": the daemon applies an MPTCP link in the host namespace of
/// <see cref="DoctorBed"/>, the peer namespace is a plain MPTCP server, and an mptcpized iperf3 transfer shows where the
/// traffic goes. Each fault leaves the transfer on one subflow; the doctor names the cause on top.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class DoctorMptcpFaultTests(ITestOutputHelper log)
{
    [Fact(Timeout = 120_000)]
    public async Task Doctor_SignalOnlyEndpointsWithAPeerThatAcceptsNoAddresses_EndpointFlags()
    {
        RequireTools();
        await using var bed = await DoctorBed.StartAsync("mf", DoctorBed.MptcpHostSpec([MptcpEndpointFlag.Signal], subflowsLimit: 2));

        var diagnosis = await DiagnoseUnderTransferAsync(bed, "mptcp_signal_only", "endpoint_flags");

        var top = diagnosis.Findings[0];
        Assert.Equal(("endpoint_flags", "up2"), (top.Code, top.Member));
        Assert.Contains($"up2's endpoint has signal but not subflow, and up1 carried {Share(diagnosis):P0} of the link's bytes", top.Observed, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Doctor_SubflowsLimitZero_MptcpLimits()
    {
        RequireTools();
        await using var bed = await DoctorBed.StartAsync("ml", DoctorBed.MptcpHostSpec([MptcpEndpointFlag.Subflow], subflowsLimit: 0));

        var diagnosis = await DiagnoseUnderTransferAsync(bed, "mptcp_limits_0", "mptcp_limits");

        var top = diagnosis.Findings[0];
        Assert.Equal("mptcp_limits", top.Code);
        Assert.Null(top.Member);
        Assert.Equal("subflows limit 0: a connection uses at most 1 of the 2 members up", top.Observed);
        Assert.Contains("Raise mptcp.subflowsLimit to 1", top.Suggestion, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Doctor_MiddleboxDropsMpJoinSyns_OneSubflowSuggestsTheMiddlebox()
    {
        RequireTools();
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        await using var bed = await DoctorBed.StartAsync("mj", DoctorBed.MptcpHostSpec([MptcpEndpointFlag.Subflow], subflowsLimit: 2));
        // MP_JOIN is MPTCP option (kind 30) subtype 1 (RFC 8684, section 3.2): the middlebox drops every SYN carrying it.
        await bed.NftInMiddleAsync("nojoin", """
            table inet flnojoin {
              chain nojoin {
                type filter hook forward priority 0; policy accept;
                tcp flags syn tcp option mptcp subtype 1 counter drop
              }
            }
            """);

        var diagnosis = await DiagnoseUnderTransferAsync(bed, "mptcp_mp_join_dropped", "one_subflow");

        var top = diagnosis.Findings[0];
        Assert.Equal(("one_subflow", "up1"), (top.Code, top.Member));
        Assert.Contains($"up1 carried {Share(diagnosis):P0} of the link's bytes", top.Observed, StringComparison.Ordinal);
        Assert.Contains("drops TCP SYNs carrying MP_JOIN", top.Suggestion, StringComparison.Ordinal);
        Assert.Contains("limits allow extra subflows", top.Suggestion, StringComparison.Ordinal);
        Assert.True(await bed.NftCounterAsync("flnojoin") > 0, "the host tried to join up2 and the middle dropped it");
    }

    private static void RequireTools()
    {
        Privileged.Require("network namespaces, veth, MPTCP");
        Privileged.RequireTool("/usr/bin/mptcpize", "mptcpize");
        Privileged.RequireTool("/usr/bin/iperf3", "iperf3");
    }

    /// <summary>
    /// An mptcpized transfer from the host to the peer at 20 Mbit/s; once up1 has carried part of it, the doctor over
    /// 2 s, its outcome written for the bench. Every fault here leaves the transfer on one subflow: up1 carries more than
    /// 90 % of the bytes.
    /// </summary>
    private async Task<Diagnosis> DiagnoseUnderTransferAsync(DoctorBed bed, string scenario, string expected)
    {
        var clock = Stopwatch.StartNew();
        var transfer = await bed.StartLoadAsync(DoctorBed.PeerPathAddress, "20M", seconds: 8, mptcp: true);
        await Eventually.TrueAsync(() => bed.LastSample("up1") is { TxBytes: > 500_000 }, "the transfer on up1", TimeSpan.FromSeconds(15),
            () => $"{bed.LastSample("up1")}; transfer {(transfer.IsCompleted ? transfer.Result.Message : "running")}");
        var (code, diagnosis) = await bed.DiagnoseAsync();
        var loadedThroughout = !transfer.IsCompleted;
        ScenarioOutcome.Of(scenario, expected, diagnosis, clock.Elapsed).WriteTo(log);
        Assert.Equal(ExitCodes.FindingsFound, code);
        Assert.True(Share(diagnosis) > 0.9, string.Join(", ", diagnosis.Members.Select(m => $"{m.Member} {m.BitsPerSecond} bit/s")));
        Assert.True(loadedThroughout, "the transfer outlasted the doctor's window");
        Assert.True((await transfer).Succeeded, "the transfer ran");
        return diagnosis;
    }

    private static double Share(Diagnosis diagnosis) =>
        diagnosis.Members.Single(m => m.Member == "up1").BitsPerSecond / diagnosis.Members.Sum(m => m.BitsPerSecond);
}

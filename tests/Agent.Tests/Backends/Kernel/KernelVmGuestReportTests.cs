using Fleet.Agent.Processes;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>The kernel-VM harness's failure report: what a CI log shows when the guest suite fails.</summary>
public sealed class KernelVmGuestReportTests
{
    private const string Bond = "Fleet.Agent.Tests.Backends.Bonding.BondBackendVmTests";
    private const string Teql = "Fleet.Agent.Tests.Backends.Teql.TeqlBackendVmTests";

    // The shape of xunit v3's -xml output (schema-version 3), one passing and one failing test.
    private const string ResultsXml = $"""
        <?xml version="1.0" encoding="utf-8"?>
        <assemblies schema-version="3">
          <assembly name="/check/work/main/tests/Agent.Tests/bin/Release/net10.0/Fleet.Agent.Tests.dll" total="2" passed="1" failed="1" skipped="0">
            <collection name="Test collection for {Bond}" total="2" passed="1" failed="1" skipped="0">
              <test name="{Bond}.Apply_BalanceRrBothEnds_PassesTrafficAndReportsMemberDownAndBack" type="{Bond}" method="Apply_BalanceRrBothEnds_PassesTrafficAndReportsMemberDownAndBack" time="24.1" result="Pass" />
              <test name="{Bond}.Apply_ActiveBackupWithBackupMember_FailsOverAndBack" type="{Bond}" method="Apply_ActiveBackupWithBackupMember_FailsOverAndBack" time="97.5" result="Fail">
                <failure exception-type="Xunit.Sdk.TrueException">
                  <message><![CDATA[timed out after 90 s (61 observations) waiting until b2 becomes active on B's side: mode active-backup, active b1]]></message>
                  <stack-trace><![CDATA[   at Xunit.Assert.True(Nullable`1 condition, String userMessage)
           at Fleet.Agent.Tests.Backends.Bonding.BondBackendVmTests.WaitForAsync(BondBackend backend) in BondBackendVmTests.cs:line 250
           at Fleet.Agent.Tests.Backends.Bonding.BondBackendVmTests.Apply_ActiveBackupWithBackupMember_FailsOverAndBack() in BondBackendVmTests.cs:line 85]]></stack-trace>
                </failure>
              </test>
            </collection>
          </assembly>
        </assemblies>
        """;

    [Fact]
    public void Read_OneGuestTestFailedOneMissing_ExplanationNamesEachWithItsMessage()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ResultsXml);
            var console = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"console line {i}")) + "\nFLEET-VM-EXIT=1";
            var run = new CommandResult(1, console, "kernel-vm: guest kernel 6.1.0-56-amd64 (host runs 6.18.44)\n");
            var expected = new HashSet<string>(StringComparer.Ordinal)
            {
                $"{Bond}.Apply_BalanceRrBothEnds_PassesTrafficAndReportsMemberDownAndBack",
                $"{Bond}.Apply_ActiveBackupWithBackupMember_FailsOverAndBack",
                $"{Teql}.Apply_TeqlOverTwoPaths_RemovesSilentlyDeadMemberAndRestoresIt",
            };

            var report = KernelVmGuestReport.Read(run, file, expected, TimeSpan.FromSeconds(130));

            Assert.Equal(2, report.Tests!.Count);
            Assert.Equal([$"{Teql}.Apply_TeqlOverTwoPaths_RemovesSilentlyDeadMemberAndRestoresIt"], report.Missing);
            var failed = Assert.Single(report.Failed);
            Assert.Equal($"{Bond}.Apply_ActiveBackupWithBackupMember_FailsOverAndBack", failed.Name);
            Assert.Contains("Fail after 97.5 s: timed out after 90 s (61 observations) waiting until b2 becomes active", failed.Why, StringComparison.Ordinal);
            Assert.Contains("BondBackendVmTests.cs:line 85", failed.Why, StringComparison.Ordinal);
            Assert.DoesNotContain("Xunit.Assert.True", failed.Why, StringComparison.Ordinal);

            Assert.StartsWith("guest run took 130 s, exit code 1 (the guest's test run failed); guest test times: Apply_ActiveBackupWithBackupMember_FailsOverAndBack 98 s, Apply_BalanceRr", report.Summary, StringComparison.Ordinal);
            Assert.Contains("kernel-vm: guest kernel 6.1.0-56-amd64", report.Explanation, StringComparison.Ordinal);
            Assert.Contains($"FAILED {Bond}.Apply_ActiveBackupWithBackupMember_FailsOverAndBack: Fail after 97.5 s", report.Explanation, StringComparison.Ordinal);
            Assert.Contains("console line 100\nFLEET-VM-EXIT=1", report.Explanation, StringComparison.Ordinal);
            Assert.Contains("console line 42", report.Explanation, StringComparison.Ordinal);
            Assert.DoesNotContain("console line 41\n", report.Explanation, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Read_NoResultsFile_EveryExpectedTestMissingAndXunitFailLinesQuoted()
    {
        var console = "fleet-vm: kernel 6.1.0-56-amd64, 2 CPUs\n    Fleet.Agent.Tests.X.Y [FAIL]\n[  80.1] Out of memory: Killed process 312 (dotnet)";
        var run = new CommandResult(98, console, "kernel-vm: the guest (kernel 6.1.0-56-amd64) stopped after 80 s without reporting an exit code\n");

        var report = KernelVmGuestReport.Read(run, null, new HashSet<string>(StringComparer.Ordinal) { "A.B", "A.C" }, TimeSpan.FromSeconds(81));

        Assert.Null(report.Tests);
        Assert.Equal(["A.B", "A.C"], report.Missing);
        Assert.Contains("exit code 98 (the guest died without reporting", report.Summary, StringComparison.Ordinal);
        Assert.Contains("guest test times: none (no results.xml)", report.Summary, StringComparison.Ordinal);
        Assert.Contains("    Fleet.Agent.Tests.X.Y [FAIL]", report.Explanation, StringComparison.Ordinal);
        Assert.Contains("Out of memory: Killed process 312 (dotnet)", report.Explanation, StringComparison.Ordinal);
        Assert.Contains("stopped after 80 s without reporting", report.Explanation, StringComparison.Ordinal);
    }
}

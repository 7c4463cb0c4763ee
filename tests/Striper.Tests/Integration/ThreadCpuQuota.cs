using System.Globalization;
using System.Security.Cryptography;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// A CPU quota for one thread of this process: a cgroup of the v1 <c>cpu</c> hierarchy with a CFS quota, which (unlike
/// cgroup v2's domain cgroups) takes a single thread's id in its <c>tasks</c>. Disposing moves the thread back to
/// the root and removes the cgroup.
/// </summary>
internal sealed class ThreadCpuQuota : IDisposable
{
    public const string Root = "/sys/fs/cgroup/cpu";
    private const int PeriodMicroseconds = 100_000;
    private readonly string _path;
    private readonly int _threadId;

    private ThreadCpuQuota(string path, int threadId)
    {
        _path = path;
        _threadId = threadId;
    }

    /// <summary>Holds thread <paramref name="threadId"/> to <paramref name="percent"/> % of one core.</summary>
    public static ThreadCpuQuota Apply(int threadId, int percent)
    {
        var path = Path.Combine(Root, $"fleet-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
        Directory.CreateDirectory(path);
        var quota = new ThreadCpuQuota(path, threadId);
        try
        {
            File.WriteAllText(Path.Combine(path, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(path, "cpu.cfs_quota_us"), (PeriodMicroseconds * percent / 100).ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(path, "tasks"), threadId.ToString(CultureInfo.InvariantCulture));
            return quota;
        }
        catch
        {
            quota.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            File.WriteAllText(Path.Combine(Root, "tasks"), _threadId.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            // The thread ended with its engine: nothing left to move.
        }

        Directory.Delete(_path);
    }
}

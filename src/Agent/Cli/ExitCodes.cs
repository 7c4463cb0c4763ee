namespace Fleet.Agent.Cli;

/// <summary>Exit codes of <c>fleet-agent</c> (documented in docs/agent.md; scripts and the systemd unit rely on them).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>An unexpected error (details on stderr).</summary>
    public const int Failure = 1;

    /// <summary>Invalid command line.</summary>
    public const int Usage = 2;

    /// <summary><c>enroll</c>: an identity exists already; pass <c>--force</c> to replace it.</summary>
    public const int IdentityExists = 3;

    /// <summary><c>enroll</c>: the Api refused the token (unknown, used up, expired or revoked).</summary>
    public const int EnrollmentRefused = 4;

    /// <summary>The Api could not be reached or answered with a server error; <c>status</c>: the daemon runs but is not connected.</summary>
    public const int ServerUnavailable = 5;

    /// <summary><c>run</c> / <c>status</c>: the agent has not enrolled (no identity in the data directory).</summary>
    public const int NotEnrolled = 6;

    /// <summary>The data directory cannot be read or written.</summary>
    public const int DataDirectoryError = 7;

    /// <summary>
    /// <c>status</c>: the daemon is not running (no status, or a stale one); <c>doctor</c>: nothing to judge (the daemon is
    /// not running, or a link had no samples in the measurement).
    /// </summary>
    public const int NotRunning = 8;

    /// <summary><c>doctor</c>: a link has a finding at warning or worse (verdict <c>limited</c> or <c>impaired</c>).</summary>
    public const int FindingsFound = 9;
}

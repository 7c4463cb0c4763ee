namespace Fleet.Agent.Interop;

/// <summary>The errno values the agent's interop code tells apart (Linux, asm-generic/errno-base.h).</summary>
internal enum Errno
{
    EINTR = 4,
    EIO = 5,
    EACCES = 13,
    ENOENT = 2,
    EINVAL = 22,
    ENOTDIR = 20,
}

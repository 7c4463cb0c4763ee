using System.Text;

namespace Fleet.Contracts.Links.Validation;

/// <summary>
/// Linux network interface names, as the kernel accepts them (<c>dev_valid_name</c> in net/core/dev.c):
/// 1–15 bytes (IFNAMSIZ 16 with the terminating NUL), not <c>.</c> or <c>..</c>, no <c>/</c>, <c>:</c> or whitespace.
/// Fleet is stricter than the kernel in one way: only printable ASCII, so a name is always safe in an argument list,
/// a log line and a file name under /sys/class/net.
/// </summary>
public static class InterfaceName
{
    /// <summary>Maximum length in bytes (IFNAMSIZ - 1).</summary>
    public const int MaxBytes = 15;

    /// <summary>True when <paramref name="name"/> is a valid interface name.</summary>
    public static bool IsValid(string? name) => Check(name) is null;

    /// <summary>Null when valid, otherwise the reason the name is invalid.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an interface name is required";
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxBytes)
        {
            return $"an interface name is at most {MaxBytes} bytes";
        }

        if (name is "." or "..")
        {
            return "'.' and '..' are not interface names";
        }

        foreach (var c in name)
        {
            if (c == '/')
            {
                return "an interface name cannot contain '/'";
            }

            if (c == ':')
            {
                return "an interface name cannot contain ':' (alias syntax)";
            }

            if (char.IsWhiteSpace(c))
            {
                return "an interface name cannot contain whitespace";
            }

            if (c is < '!' or > '~')
            {
                return "an interface name uses printable ASCII characters only";
            }
        }

        return null;
    }
}

using Fleet.Agent.Processes;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>Reads devices with iproute2 in a <see cref="KernelContext"/> and phrases command failures for Failed reasons.</summary>
public static class KernelLinks
{
    /// <summary>Every device with details and counters (<c>ip -d -s -j link show</c>); null with the error when ip fails.</summary>
    public static async Task<(IReadOnlyDictionary<string, IpLink>? Links, string? Error)> ReadAllAsync(KernelContext context, CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["-d", "-s", "-j", "link", "show"], cancellationToken);
        if (!result.Succeeded)
        {
            return (null, Failure(["-d", "-s", "-j", "link", "show"], result));
        }

        try
        {
            var links = IpLink.ParseList(result.StandardOutput);
            return (links.ToDictionary(l => l.Name, StringComparer.Ordinal), null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (null, $"ip -j link show printed something that is not JSON: {ex.Message}");
        }
    }

    /// <summary>"ip link set dev bond0 up: RTNETLINK answers: Operation not permitted".</summary>
    public static string Failure(IReadOnlyList<string> ipArguments, CommandResult result) =>
        $"ip {string.Join(' ', ipArguments)}: {(string.IsNullOrWhiteSpace(result.Message) ? $"exit code {result.ExitCode}" : result.Message)}";

    /// <summary>Runs <c>ip ARGS</c>; null on success, else the failure text.</summary>
    public static async Task<string?> IpAsync(this KernelContext context, CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await context.IpAsync(arguments, cancellationToken);
        return result.Succeeded ? null : Failure(arguments, result);
    }
}

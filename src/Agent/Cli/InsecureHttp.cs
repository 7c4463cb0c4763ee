using System.CommandLine;

namespace Fleet.Agent.Cli;

/// <summary>
/// The rule for a control plane reached over plain HTTP: the agent's credential and every report it sends would cross
/// the network in clear text, so <c>enroll</c>, <c>run</c> and <c>simulate</c> use an <c>http://</c> server only when
/// told to (<c>--allow-insecure-http</c>; for <c>run</c> also <c>Agent:AllowInsecureHttp</c> in its configuration).
/// <c>https://</c> is always accepted.
/// </summary>
public static class InsecureHttp
{
    /// <summary>The option's name (the container entrypoint looks for it in the help of <c>enroll</c> and <c>run</c>).</summary>
    public const string OptionName = "--allow-insecure-http";

    /// <summary><c>--allow-insecure-http</c>.</summary>
    public static Option<bool> Option() => new(OptionName)
    {
        Description = "Accept an http:// server: the credential and every report cross the network in clear text (a test bed or a loopback demo only)",
    };

    /// <summary>Why <paramref name="server"/> is refused; null when it may be used (schemes other than http(s) are refused by <see cref="ServerUrls"/>).</summary>
    /// <param name="server">The control plane's URL.</param>
    /// <param name="allowed">Whether plain HTTP was allowed explicitly.</param>
    /// <param name="otherwise">How else it can be allowed besides the option (a configuration key), if at all.</param>
    public static string? Refusal(Uri server, bool allowed, string? otherwise = null) =>
        server.Scheme != Uri.UriSchemeHttp || allowed
            ? null
            : $"refusing the control plane at {server}: over http:// the enrollment token, the host's credential and every report would cross the network in clear text. "
              + $"Use the Api's https:// URL, or pass {OptionName}{(otherwise is null ? "" : $" (or set {otherwise})")} for a test bed or a loopback demo.";
}

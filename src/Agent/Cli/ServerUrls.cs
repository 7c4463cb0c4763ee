using System.CommandLine.Parsing;

namespace Fleet.Agent.Cli;

/// <summary>Parses <c>--server</c>: an absolute http(s) URL (System.CommandLine has no Uri parser of its own).</summary>
public static class ServerUrls
{
    /// <summary>A System.CommandLine parser for server URL options.</summary>
    public static Uri ParseArgument(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"'{text}' is not an absolute http(s) URL (example: https://fleet.example.net)");
        return null!;
    }
}

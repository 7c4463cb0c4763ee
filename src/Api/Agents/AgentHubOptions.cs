using Microsoft.Extensions.Options;

namespace Fleet.Api.Agents;

/// <summary>The <c>Fleet:Agents</c> section: what one agent may cost the Api (docs/architecture.md, "Api configuration").</summary>
public sealed class AgentHubOptions
{
    public const string Section = "Fleet:Agents";

    /// <summary>
    /// Hub connections one host's credential may hold at once. A new connection beyond it closes the oldest: an agent
    /// that reconnects replaces its half-dead connection at once, and a copied credential cannot multiply the load.
    /// </summary>
    public int MaxConnectionsPerHost { get; set; } = 1;

    /// <summary>
    /// Refused reports of one host and kind (batch, state, hello) are written to the audit log at most once per this
    /// interval; the ones in between are counted and written as one row when the interval ends.
    /// </summary>
    public TimeSpan RejectionAuditInterval { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class AgentHubOptionsValidator : IValidateOptions<AgentHubOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentHubOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConnectionsPerHost is < 1 or > 16)
        {
            errors.Add($"{AgentHubOptions.Section}:MaxConnectionsPerHost must be 1…16");
        }

        if (options.RejectionAuditInterval < TimeSpan.FromSeconds(1) || options.RejectionAuditInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{AgentHubOptions.Section}:RejectionAuditInterval must be between 00:00:01 and 1.00:00:00");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

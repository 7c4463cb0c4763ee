using Fleet.Api.Data.Entities;

namespace Fleet.Api.Hosts;

/// <summary>
/// What a host label may be: one rule for the labels REST sets on hosts and for the labels an alert rule selects by,
/// so that every label a host can carry can be selected and nothing else is stored.
/// </summary>
public static class HostLabelRules
{
    /// <summary>The rule in words, for field errors.</summary>
    public static readonly string Text =
        $"keys 1–{HostLabelEntity.KeyMaxLength} of letters, digits, '.', '_', '-', '/'; values up to {HostLabelEntity.ValueMaxLength} characters without control characters";

    public static bool IsKey(string? key) =>
        key is { Length: > 0 and <= HostLabelEntity.KeyMaxLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');

    public static bool IsValue(string? value) =>
        value is not null && value.Length <= HostLabelEntity.ValueMaxLength && !value.Any(char.IsControl);
}

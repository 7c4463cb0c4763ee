namespace Fleet.Api.Configuration;

/// <summary>What start-up found out about the database; read by <c>/readyz</c>.</summary>
public sealed class DatabaseReadiness
{
    private volatile string? _problem = "the database has not been initialised yet";

    /// <summary>Why the Api is not ready, or null when the schema is current and bootstrap has run.</summary>
    public string? Problem => _problem;

    internal void Set(string? problem) => _problem = problem;
}

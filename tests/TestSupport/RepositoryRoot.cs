namespace Fleet.Testing;

/// <summary>The checkout the tests were built from: the nearest directory above the test binaries that holds Fleet.sln.</summary>
public static class RepositoryRoot
{
    /// <summary>The directory's full path, or null when the binaries were copied out of a checkout.</summary>
    public static string? TryFind()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The directory's full path; throws when the binaries are not inside a checkout.</summary>
    public static string Find() =>
        TryFind() ?? throw new DirectoryNotFoundException($"Fleet.sln not found above {AppContext.BaseDirectory}.");
}

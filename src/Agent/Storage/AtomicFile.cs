using System.Text.Json;
using Fleet.Contracts.Json;

namespace Fleet.Agent.Storage;

/// <summary>
/// Replaces small state files atomically: write a temporary file in the same directory, fsync it, rename it over the
/// target, fsync the directory. A crash leaves either the old or the new content, never a torn mix.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Owner read/write only: files that hold credentials or pre-shared keys.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Readable by everyone, writable by the owner.</summary>
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> atomically with <paramref name="mode"/>; with
    /// <paramref name="durable"/> the file and its directory are fsync'ed (state that must survive a power cut).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool durable = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                // UnixCreateMode applies only when the file is created; a stale temporary file keeps its mode.
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }

                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        if (durable)
        {
            DurableDirectory.Sync(directory);
        }
    }

    /// <summary>Serializes <paramref name="value"/> with Fleet's JSON options and writes it atomically.</summary>
    public static void WriteJson<T>(string path, T value, UnixFileMode mode, bool durable = true)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, s_indented);
        Write(path, bytes, mode, durable);
    }

    /// <summary>
    /// Reads a JSON file written by <see cref="WriteJson"/>; null when nothing is at <paramref name="path"/>. Something
    /// that is not a file (a directory) is an I/O error, not an absent file: state that cannot be written back must not
    /// look like a first start.
    /// </summary>
    public static T? ReadJson<T>(string path)
        where T : class
    {
        if (!Path.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        return JsonSerializer.Deserialize<T>(bytes, s_indented);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static readonly JsonSerializerOptions s_indented = CreateIndented();

    private static JsonSerializerOptions CreateIndented()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        FleetJson.Configure(options);
        options.WriteIndented = true;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

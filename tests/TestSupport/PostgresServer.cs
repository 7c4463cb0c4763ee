using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Fleet.Testing;

/// <summary>
/// A real PostgreSQL server for tests: either the one <c>FLEET_TEST_POSTGRES</c> names (a connection string whose
/// user may create databases), or a throw-away cluster started from the installed binaries
/// (<c>/usr/lib/postgresql/*/bin</c>) in a temp directory on a free loopback port, torn down on dispose.
/// PostgreSQL refuses to run as root, so as root the cluster runs as the <c>postgres</c> system user.
/// Tests get a fresh database each from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "FLEET_TEST_POSTGRES";
    private const string SystemUser = "postgres";
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromMinutes(2);

    private readonly string? _clusterDirectory;
    private readonly string? _binDirectory;
    private readonly List<string> _databases = [];

    private PostgresServer(string adminConnectionString, string? clusterDirectory, string? binDirectory)
    {
        AdminConnectionString = adminConnectionString;
        _clusterDirectory = clusterDirectory;
        _binDirectory = binDirectory;
    }

    /// <summary>Connection string of the maintenance database (<c>postgres</c>) as a superuser or database creator.</summary>
    public string AdminConnectionString { get; }

    /// <summary>True when this object started the server (and stops it on dispose).</summary>
    public bool IsOwned => _clusterDirectory is not null;

    /// <summary>Why no server can be started here (no binaries, no <c>postgres</c> user as root), or null.</summary>
    public static string? WhyUnavailable()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)))
        {
            return null;
        }

        if (FindBinDirectory() is null)
        {
            return "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql; build/prerequisites.sh installs it), and FLEET_TEST_POSTGRES is not set";
        }

        if (Environment.IsPrivilegedProcess && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/setpriv"))
        {
            return "running as root, PostgreSQL must run as the postgres user, but neither runuser nor setpriv exists";
        }

        return null;
    }

    /// <summary>Connects to <c>FLEET_TEST_POSTGRES</c> or starts a private cluster.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var server = new PostgresServer(external, null, null);
            await server.WaitUntilAcceptingAsync(cancellationToken);
            return server;
        }

        if (WhyUnavailable() is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var bin = FindBinDirectory()!;
        var directory = Path.Combine(Path.GetTempPath(), "fleet-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await ChildProcess.RunCheckedAsync("chown", ["-R", $"{SystemUser}:{SystemUser}", directory], s_toolTimeout);
            }

            var data = Path.Combine(directory, "data");
            await RunAsPostgresAsync(bin, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);

            Exception? last = null;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = FreePort.Next();
                WriteSettings(data, directory, port);
                var log = Path.Combine(directory, "server.log");
                var start = await RunAsPostgresAsync(bin, "pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "start"], check: false);
                if (start.ExitCode == 0)
                {
                    var connectionString = new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1",
                        Port = port,
                        Username = "postgres",
                        Database = "postgres",
                        Pooling = false,
                    }.ConnectionString;
                    var server = new PostgresServer(connectionString, directory, bin);
                    await server.WaitUntilAcceptingAsync(cancellationToken);
                    return server;
                }

                var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "";
                last = new InvalidOperationException($"pg_ctl start failed on port {port}:\n{start.Output}\n{serverLog}");
            }

            throw last!;
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix = "fleet", CancellationToken cancellationToken = default) =>
        CreateAsync(prefix, template: null, cancellationToken);

    /// <summary>
    /// Creates a database as a copy of <paramref name="template"/> (a database this server made, to which nobody is
    /// connected: PostgreSQL refuses to copy one in use) and returns its connection string.
    /// </summary>
    public Task<string> CreateDatabaseFromTemplateAsync(string template, CancellationToken cancellationToken = default) =>
        CreateAsync("fleet", template, cancellationToken);

    private async Task<string> CreateAsync(string prefix, string? template, CancellationToken cancellationToken)
    {
        var name = $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            var sql = template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"";
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name,
            Pooling = true,
            MaxPoolSize = 30,
        }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterDirectory is null)
        {
            await DropDatabasesAsync();
            return;
        }

        try
        {
            await RunAsPostgresAsync(_binDirectory!, "pg_ctl", ["-D", Path.Combine(_clusterDirectory, "data"), "-m", "immediate", "-w", "stop"], check: false);
        }
        finally
        {
            TryDelete(_clusterDirectory);
        }
    }

    private async Task DropDatabasesAsync()
    {
        string[] names;
        lock (_databases)
        {
            names = [.. _databases];
        }

        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // Best effort on a shared server: leftover test databases are harmless.
        }
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static void WriteSettings(string data, string socketDirectory, int port)
    {
        // A throw-away cluster: durability settings off for speed; listen on loopback only; the socket in our own
        // temp directory so we never touch /var/run/postgresql. postgresql.auto.conf overrides postgresql.conf.
        var settings = string.Join('\n',
            "listen_addresses = '127.0.0.1'",
            string.Create(CultureInfo.InvariantCulture, $"port = {port}"),
            $"unix_socket_directories = '{socketDirectory}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 300",
            "shared_buffers = 64MB",
            "log_min_messages = warning",
            "");
        File.WriteAllText(Path.Combine(data, "postgresql.auto.conf"), settings);
    }

    private static Task<ChildProcess.Result> RunAsPostgresAsync(string bin, string tool, string[] arguments) =>
        RunAsPostgresAsync(bin, tool, arguments, check: true);

    private static async Task<ChildProcess.Result> RunAsPostgresAsync(string bin, string tool, string[] arguments, bool check)
    {
        var path = Path.Combine(bin, tool);
        string file;
        List<string> args;
        if (!Environment.IsPrivilegedProcess)
        {
            file = path;
            args = [.. arguments];
        }
        else if (File.Exists("/usr/sbin/runuser"))
        {
            file = "/usr/sbin/runuser";
            args = ["-u", SystemUser, "--", path, .. arguments];
        }
        else
        {
            file = "/usr/bin/setpriv";
            args = ["--reuid", SystemUser, "--regid", SystemUser, "--init-groups", "--", path, .. arguments];
        }

        // The working directory must be readable by the postgres user (pg_ctl changes into it).
        var result = await ChildProcess.RunAsync(file, args, s_toolTimeout, workingDirectory: "/");
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}");
        }

        return result;
    }

    private static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("FLEET_PG_BIN");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Directory: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Directory, "initdb")) && File.Exists(Path.Combine(d.Directory, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Directory)
            .FirstOrDefault();
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

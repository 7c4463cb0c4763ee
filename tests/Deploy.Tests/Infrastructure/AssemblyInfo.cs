using System.Runtime.Versioning;
using Fleet.Testing;

// Packaging targets Linux hosts: the tests drive dpkg, systemd, bash and network namespaces.
[assembly: SupportedOSPlatform("linux")]

// The container tests' Api uses PostgreSQL; the server starts on first use only.
[assembly: AssemblyFixture(typeof(PostgresFixture))]

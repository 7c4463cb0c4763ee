using System.Runtime.Versioning;
using Fleet.Testing;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

// The agent and its tests run on Linux only.
[assembly: SupportedOSPlatform("linux")]

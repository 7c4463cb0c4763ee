using System.Runtime.Versioning;

// Packaging targets Linux hosts: the tests drive dpkg, systemd, bash and network namespaces.
[assembly: SupportedOSPlatform("linux")]

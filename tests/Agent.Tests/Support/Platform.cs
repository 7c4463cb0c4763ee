using System.Runtime.Versioning;

// The agent runs on Linux hosts only (iproute2, procfs, file modes); so do its tests.
[assembly: SupportedOSPlatform("linux")]

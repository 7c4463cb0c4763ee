using System.Security.Cryptography;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Compose;

/// <summary>
/// deploy/compose/name-paths.sh renames the compose demo's path interfaces by subnet. Run for real in a network
/// namespace of its own with veth pairs standing in for the interfaces Docker would attach.
/// </summary>
public sealed class NamePathsScriptTests : IAsyncLifetime
{
    private static readonly string s_script = Repository.PathOf("deploy/compose/name-paths.sh");
    private readonly string _namespace = "flnp" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private bool _created;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_created)
        {
            await ExternalProcess.RunAsync("ip", ["netns", "delete", _namespace], TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task NamePaths_InterfacesInTheSubnets_AreRenamedUpAndKeepTheirAddresses()
    {
        Privileged.Require("creates a network namespace with veth pairs");
        await CreateNamespaceAsync();
        await InNamespaceAsync("ip", "link", "add", "eth1", "type", "veth", "peer", "name", "peer1");
        await InNamespaceAsync("ip", "link", "add", "eth2", "type", "veth", "peer", "name", "peer2");
        await InNamespaceAsync("ip", "address", "add", "10.231.1.11/24", "dev", "eth1");
        await InNamespaceAsync("ip", "address", "add", "10.231.2.11/24", "dev", "eth2");

        await InNamespaceAsync("bash", s_script, "path-a=10.231.1.0/24", "path-b=10.231.2.0/24");

        var pathA = await InNamespaceAsync("ip", "-o", "-4", "address", "show", "dev", "path-a");
        var pathB = await InNamespaceAsync("ip", "-o", "-4", "address", "show", "dev", "path-b");
        Assert.Contains("inet 10.231.1.11/24", pathA, StringComparison.Ordinal);
        Assert.Contains("inet 10.231.2.11/24", pathB, StringComparison.Ordinal);
        Assert.Contains("UP", await InNamespaceAsync("ip", "-o", "link", "show", "dev", "path-a"), StringComparison.Ordinal);
        Assert.DoesNotContain("eth1", await InNamespaceAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);

        // A container restart runs it again: nothing left to rename, nothing fails.
        var again = await InNamespaceAsync("bash", s_script, "path-a=10.231.1.0/24", "path-b=10.231.2.0/24");
        Assert.DoesNotContain("->", again, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task NamePaths_TwoInterfacesInOneSubnet_RefusesAndRenamesNothing()
    {
        Privileged.Require("creates a network namespace with veth pairs");
        await CreateNamespaceAsync();
        await InNamespaceAsync("ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth2");
        await InNamespaceAsync("ip", "address", "add", "10.231.1.11/24", "dev", "eth1");
        await InNamespaceAsync("ip", "address", "add", "10.231.1.12/24", "dev", "eth2");

        var result = await ExternalProcess.RunAsync("ip", ["netns", "exec", _namespace, "bash", s_script, "path-a=10.231.1.0/24"], TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("found 2", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("eth1", await InNamespaceAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("path-a")]
    [InlineData("a-name-longer-than-15=10.0.0.0/24")]
    [InlineData("path-a=10.0.0.0")]
    [InlineData("path a=10.0.0.0/24")]
    public async Task NamePaths_MalformedArgument_ExitsTwo(string argument)
    {
        var result = await ExternalProcess.RunAsync("bash", [s_script, argument], TimeSpan.FromSeconds(30));

        Assert.Equal(2, result.ExitCode);
    }

    private async Task CreateNamespaceAsync()
    {
        var result = await ExternalProcess.RunAsync("ip", ["netns", "add", _namespace], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Describe("ip netns add"));
        _created = true;
    }

    private async Task<string> InNamespaceAsync(params string[] command)
    {
        var result = await ExternalProcess.RunAsync("ip", ["netns", "exec", _namespace, .. command], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Describe(string.Join(' ', command)));
        return result.StandardOutput + result.StandardError;
    }
}

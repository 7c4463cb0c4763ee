using Fleet.Contracts.Agents;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Agent.Hub;

/// <summary>
/// The agent's MessagePack options on <c>/hubs/agent</c>: SignalR's defaults (contractless, enums as strings, untrusted
/// data), except that a <see cref="MemberSample"/> leaves its nil counters out (<see cref="NilOmittingFormatter{T}"/>).
/// The Api keeps the defaults, which read both forms, so old and new agents mix during a rolling upgrade.
/// </summary>
public static class AgentHubMessagePack
{
    /// <summary>The options, for <c>AddMessagePackProtocol</c>.</summary>
    public static MessagePackSerializerOptions Options { get; } = Create();

    private static MessagePackSerializerOptions Create()
    {
        var defaults = new MessagePackHubProtocolOptions().SerializerOptions;
        return defaults.WithResolver(CompositeResolver.Create([new NilOmittingFormatter<MemberSample>()], [defaults.Resolver]));
    }
}

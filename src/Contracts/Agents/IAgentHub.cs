namespace Fleet.Contracts.Agents;

/// <summary>
/// Methods an agent invokes on the Api's <see cref="HubRoutes.Agent"/> hub. The Api knows the caller's host from its
/// credential; nothing an agent sends can name another host.
/// </summary>
public interface IAgentHub
{
    /// <summary>
    /// First call after every connect: the agent's inventory. The answer carries the host's desired links so an
    /// agent that was offline catches up at once.
    /// </summary>
    Task<HelloResult> Hello(AgentHello hello);

    /// <summary>
    /// A batch of samples and events. The Api answers only after the batch is durably stored (or recognised as a
    /// duplicate of one that is); until then the agent keeps it in its on-disk queue and resends it after a reconnect.
    /// </summary>
    Task<BatchAck> ReportBatch(SampleBatch batch);

    /// <summary>The agent's view of one link: observed generation, phase, error, and whether it awaits confirmation.</summary>
    Task ReportLinkState(ObservedLinkState state);

    /// <summary>
    /// The host's inventory changed since the hello (an interface appeared or went, such as a TUN device a link
    /// created, or an address changed): the Api keeps it as it keeps a hello's. Sent only on a change.
    /// </summary>
    Task ReportInventory(AgentHello inventory);

    /// <summary>
    /// The answer to a <see cref="IAgentClient.RunSpeedTest"/>: refused unless the Api ordered that test of that link
    /// from this host and still waits for it.
    /// </summary>
    Task ReportSpeedTest(SpeedTestReport report);
}

/// <summary>Methods the Api invokes on a connected agent.</summary>
public interface IAgentClient
{
    /// <summary>A link's desired spec changed (or the link is new): reconcile it.</summary>
    Task ApplyLink(DesiredLink link);

    /// <summary>A link was deleted: tear down what the agent created for it.</summary>
    Task RemoveLink(LinkRemoval removal);

    /// <summary>
    /// Commit-confirm: the Api heard the agent's <see cref="ObservedLinkState.AwaitingConfirm"/> report over the new
    /// network state, so the change did not cut the host off. Without this in time the agent rolls back.
    /// </summary>
    Task ConfirmLink(LinkConfirmation confirmation);

    /// <summary>
    /// Run a path speed test on a striper link of this host and answer with <see cref="IAgentHub.ReportSpeedTest"/>
    /// (a result, or why it could not run) when it is done, a few seconds later.
    /// </summary>
    Task RunSpeedTest(SpeedTestOrder order);
}

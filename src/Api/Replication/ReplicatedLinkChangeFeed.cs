using Fleet.Api.Links;

namespace Fleet.Api.Replication;

/// <summary>
/// The link change feed on PostgreSQL: a publication reaches this replica's subscribers at once (the in-process
/// <see cref="LinkChangeFeed"/>) and the other replicas' through <see cref="PostgresNotifier"/>;
/// <see cref="PostgresListener"/> feeds what the other replicas publish into the same in-process feed.
/// </summary>
internal sealed class ReplicatedLinkChangeFeed(LinkChangeFeed local, PostgresNotifier notifier) : ILinkChangeFeed
{
    public void Publish(LinkChange change)
    {
        local.Publish(change);
        notifier.NotifyLinkChange(change);
    }

    public LinkChangeSubscription Subscribe() => local.Subscribe();
}

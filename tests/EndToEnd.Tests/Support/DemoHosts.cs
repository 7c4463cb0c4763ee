namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// The demo fleet's size as a newcomer sees it (<c>DemoFleet.Hosts</c> in the Api, which this project does not
/// reference): six hosts with a link of their own, the aggregator's host and its three sites, one link each.
/// </summary>
internal static class DemoHosts
{
    public const int Count = 10;
}

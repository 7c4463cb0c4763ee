using System.Data.Common;
using System.Net.Sockets;
using Fleet.Api.Agents;

namespace Fleet.Api.Samples.Ingest;

/// <summary>
/// Tells the two kinds of failure of a group commit apart: the database's (connection lost, timeout, pool exhausted,
/// server shutting down — retried, and reported to every batch of the group) and a batch's (a value the database
/// refuses — isolated by <see cref="SampleIngestion"/> and reported to that batch alone).
/// </summary>
internal static class IngestFailures
{
    /// <summary>Whether <paramref name="exception"/> says the database, not the data, failed.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DbException db:
                    return db.IsTransient;
                case TimeoutException or SocketException or IOException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The reason given to the agent whose batch the database refused (the database's message, without internals).</summary>
    public static string Describe(Exception exception)
    {
        var root = exception;
        while (root is not DbException && root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return "the database refused this batch: " + AgentText.SingleLine(root.Message, 300);
    }
}

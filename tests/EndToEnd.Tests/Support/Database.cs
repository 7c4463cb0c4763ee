using Npgsql;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>Reads the Api's PostgreSQL database directly, to check what was stored (and how often).</summary>
internal sealed class Database(string connectionString)
{
    public string ConnectionString => connectionString;

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            result.Add(read(reader));
        }

        return result;
    }

    public Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        ScalarAsync<object>(sql + " RETURNING 1", parameters);

    /// <summary>
    /// Proves a host's stored samples are complete and unique: batch sequences 1..N without a gap, as many sample rows
    /// as the batches carried, no (link, member, time) twice, and per member one sample per interval from the first to
    /// the last (a gap means samples the agent produced were lost). Returns the sample count.
    /// </summary>
    public async Task<long> AssertCompleteAsync(Guid hostId, Guid linkId, IEnumerable<(DateTimeOffset From, DateTimeOffset To)>? allowedGaps = null)
    {
        var sequences = await ListAsync("SELECT sequence FROM ingested_batches WHERE host_id = @h ORDER BY sequence", r => r.GetInt64(0), ("h", hostId));
        Assert.NotEmpty(sequences);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);

        var declared = await ScalarAsync<long>("SELECT COALESCE(SUM(sample_count), 0)::bigint FROM ingested_batches WHERE host_id = @h", ("h", hostId));
        var rows = await ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l", ("l", linkId));
        Assert.Equal(declared, rows);

        var duplicates = await ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM samples WHERE link_id = @l GROUP BY member, time HAVING count(*) > 1) d", ("l", linkId));
        Assert.Equal(0, duplicates);

        var times = await ListAsync("SELECT member, time FROM samples WHERE link_id = @l ORDER BY member, time", r => (Member: r.GetString(0), Time: new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero)), ("l", linkId));
        var gaps = allowedGaps?.ToList() ?? [];
        foreach (var member in times.GroupBy(t => t.Member))
        {
            var list = member.Select(t => t.Time).ToList();
            for (var i = 1; i < list.Count; i++)
            {
                var gap = list[i] - list[i - 1];
                if (gap > TimeSpan.FromMilliseconds(1600) && !gaps.Any(g => list[i - 1] >= g.From && list[i] <= g.To))
                {
                    Assert.Fail($"member {member.Key}: no sample between {list[i - 1]:O} and {list[i]:O} ({gap.TotalSeconds:0.0} s)");
                }
            }
        }

        return rows;
    }
}

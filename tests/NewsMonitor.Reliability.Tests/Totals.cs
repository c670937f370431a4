using Npgsql;
using NewsMonitor.Testing;

namespace NewsMonitor.Reliability.Tests;

/// <summary>How many of a stage's items were done once, not at all (lost) and more than once (the extra copies: doubled).</summary>
/// <param name="Expected">Items the stage must have done.</param>
/// <param name="Got">Items done at least once.</param>
/// <param name="Lost">Expected items not done.</param>
/// <param name="Doubled">Extra copies of items done more than once, plus items done that were not expected.</param>
public sealed record StageCount(int Expected, int Got, int Lost, int Doubled)
{
    /// <summary>"got/expected".</summary>
    public override string ToString() => $"{Got}/{Expected}";
}

/// <summary>A scenario's totals, read straight from each service's schema, by event type per stream.</summary>
public sealed record Totals(StageCount Stored, StageCount Classified, StageCount Extracted, StageCount Evaluated, StageCount Alerts, long ErrorQueued)
{
    /// <summary>Every stage.</summary>
    public IEnumerable<StageCount> Stages => [Stored, Classified, Extracted, Evaluated, Alerts];

    /// <summary>Items lost, over every stage.</summary>
    public int Lost => Stages.Sum(stage => stage.Lost);

    /// <summary>Items doubled (or unexpected), over every stage.</summary>
    public int Doubled => Stages.Sum(stage => stage.Doubled);

    /// <summary>Every stage has done exactly what it must: nothing lost, nothing doubled.</summary>
    public bool Complete => Lost == 0 && Doubled == 0;

    /// <summary>Reads the totals of <paramref name="load"/> from the schemas of a running system.</summary>
    /// <param name="schemaOf">The schema of a service (<c>RunningSystem.SchemaOf</c>).</param>
    /// <param name="load">The scenario's load.</param>
    /// <param name="subscriptionIds">The scenario's subscription ids, by index.</param>
    /// <param name="errorQueued">Messages parked in error queues now (from the operations status).</param>
    public static async Task<Totals> ReadAsync(Func<string, string> schemaOf, ScenarioLoad load, IReadOnlyList<Guid> subscriptionIds, long errorQueued)
    {
        await using var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync();

        // Ingestion: one article_submitted per URL of the load. Two streams for one URL would be one article stored twice.
        var stored = await PairsAsync(connection,
            $"select stream_id, data->>'url' from \"{schemaOf("Ingestion")}\".mt_events where type = 'article_submitted' and data->>'url' like @prefix",
            command => command.Parameters.AddWithValue("prefix", $"https://reliability.example.org/{load.Tag}/%"));
        var idsByUrl = stored.GroupBy(row => row.Value).ToDictionary(group => group.Key, group => group.Select(row => row.Key).ToList());
        var articleIds = idsByUrl.Values.SelectMany(ids => ids).Distinct().ToArray();
        var urls = load.Articles.Select(article => article.Url).ToHashSet(StringComparer.Ordinal);
        var storedCount = Count(load.Articles.Count, idsByUrl.Where(entry => urls.Contains(entry.Key)).ToDictionary(entry => entry.Key, entry => entry.Value.Count),
            unexpected: idsByUrl.Keys.Count(url => !urls.Contains(url)));

        var classified = Count(articleIds.Length, await PerStreamAsync(connection, schemaOf("Classification"), "article_topics_assigned", articleIds));
        var extracted = Count(articleIds.Length, await PerStreamAsync(connection, schemaOf("Entities"), "article_entities_extracted", articleIds));
        var evaluated = Count(articleIds.Length, await PerStreamAsync(connection, schemaOf("Alerting"), "article_evaluated", articleIds));

        // Alerting: one alert_triggered per expected (subscription, article) pair, none for any other pair of these subscriptions.
        var articleIdByUrl = idsByUrl.ToDictionary(entry => entry.Key, entry => entry.Value[0]);
        var expected = load.ExpectedAlerts
            .Where(pair => articleIdByUrl.ContainsKey(load.Articles[pair.Article].Url))
            .Select(pair => $"{subscriptionIds[pair.Subscription]}:{articleIdByUrl[load.Articles[pair.Article].Url]}")
            .ToHashSet(StringComparer.Ordinal);
        var raised = (await PairsAsync(connection,
                $"select stream_id, (data->>'subscriptionId') || ':' || (data->>'articleId') from \"{schemaOf("Alerting")}\".mt_events " +
                "where type = 'alert_triggered' and (data->>'subscriptionId')::uuid = any(@subscriptions)",
                command => command.Parameters.AddWithValue("subscriptions", subscriptionIds.ToArray())))
            .GroupBy(row => row.Value).ToDictionary(group => group.Key, group => group.Count());
        var alertsExpected = load.ExpectedAlerts.Count();
        var alerts = Count(alertsExpected,
            raised.Where(entry => expected.Contains(entry.Key)).ToDictionary(entry => entry.Key, entry => entry.Value),
            unexpected: raised.Where(entry => !expected.Contains(entry.Key)).Sum(entry => entry.Value));
        return new Totals(storedCount, classified, extracted, evaluated, alerts, errorQueued);
    }

    // Items seen at least once out of `expected`; lost are those never seen; doubled the copies beyond the first plus unexpected items.
    private static StageCount Count<TKey>(int expected, IReadOnlyDictionary<TKey, int> timesByItem, int unexpected = 0) where TKey : notnull
    {
        var got = timesByItem.Count(entry => entry.Value > 0);
        return new StageCount(expected, got, Math.Max(0, expected - got), timesByItem.Values.Sum(times => Math.Max(0, times - 1)) + unexpected);
    }

    private static async Task<Dictionary<Guid, int>> PerStreamAsync(NpgsqlConnection connection, string schema, string type, Guid[] streams)
    {
        await using var command = new NpgsqlCommand($"select stream_id, count(*)::int from \"{schema}\".mt_events where type = @type and stream_id = any(@streams) group by stream_id", connection);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("streams", streams);
        var counts = new Dictionary<Guid, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetGuid(0)] = reader.GetInt32(1);
        return counts;
    }

    private static async Task<List<KeyValuePair<Guid, string>>> PairsAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        parameters(command);
        var rows = new List<KeyValuePair<Guid, string>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(new(reader.GetGuid(0), reader.GetString(1)));
        return rows;
    }
}

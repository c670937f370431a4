using NewsMonitor.EndToEnd.Tests;
using NewsMonitor.Testing;
using Npgsql;

namespace NewsMonitor.Reliability.Tests;

/// <summary>
/// Read models against a fold of their events, in SQL over each service's schema: the inline snapshots of the load's
/// articles and alerts, and the asynchronous entity profiles over the whole store (where a skipped event would show).
/// </summary>
public static class ProjectionChecks
{
    /// <summary>Asserts that every checked read model equals the fold of its events; lists every difference when not.</summary>
    public static async Task AssertFoldsAsync(RunningSystem system, ScenarioLoad load)
    {
        var differences = await DifferencesAsync(system.SchemaOf, load);
        Assert.True(differences.Count == 0, $"read models differ from their events: {string.Join("; ", differences.Take(10))} ({differences.Count} in all)");
    }

    /// <summary>Every difference between a read model and the fold of its events (empty when they agree).</summary>
    public static async Task<IReadOnlyList<string>> DifferencesAsync(Func<string, string> schemaOf, ScenarioLoad load)
    {
        await using var connection = new NpgsqlConnection(TestInfrastructure.Postgres);
        await connection.OpenAsync();
        var differences = new List<string>();
        var prefix = $"https://reliability.example.org/{load.Tag}/%";
        var ingestion = schemaOf("Ingestion");

        // Ingestion's Article snapshot: one per stored article, with the steps its stream recorded.
        differences.AddRange(await RowsAsync(connection,
            $"""
             select 'article ' || e.stream_id || ': document ' || coalesce(d.data->>'url', 'missing')
             from "{ingestion}".mt_events e left join "{ingestion}".mt_doc_article d on d.id = e.stream_id
             where e.type = 'article_submitted' and e.data->>'url' like @prefix and (d.id is null or d.data->>'url' is distinct from e.data->>'url')
             """, prefix));
        // Classification's ArticleTopics snapshot: the labels of the stream's last assignment.
        differences.AddRange(await RowsAsync(connection, LastEventAgrees(schemaOf("Classification"), ingestion, "article_topics_assigned", "mt_doc_articletopics",
            "(select jsonb_agg(t->>'label' order by o) from jsonb_array_elements(last.data->'topics') with ordinality as x(t, o))", "d.data->'labels'"), prefix));
        // Entities' ArticleEntities snapshot: the entity ids of the stream's last extraction.
        differences.AddRange(await RowsAsync(connection, LastEventAgrees(schemaOf("Entities"), ingestion, "article_entities_extracted", "mt_doc_articleentities",
            "(select coalesce(jsonb_agg(x->>'id' order by o), '[]'::jsonb) from jsonb_array_elements(last.data->'entities') with ordinality as y(x, o))",
            "(select coalesce(jsonb_agg(x->>'id' order by o), '[]'::jsonb) from jsonb_array_elements(d.data->'entities') with ordinality as y(x, o))"), prefix));
        // Alerting's Alert snapshot: one per alert stream of the load, for the same subscription and article.
        var alerting = schemaOf("Alerting");
        differences.AddRange(await RowsAsync(connection,
            $"""
             select 'alert ' || e.stream_id || ': document ' || coalesce(d.data->>'articleId', 'missing')
             from "{alerting}".mt_events e left join "{alerting}".mt_doc_alert d on d.id = e.stream_id
             where e.type = 'alert_triggered' and e.data->>'articleId' in
                   (select stream_id::text from "{ingestion}".mt_events where type = 'article_submitted' and data->>'url' like @prefix)
               and (d.id is null or d.data->>'articleId' is distinct from e.data->>'articleId' or d.data->>'subscriptionId' is distinct from e.data->>'subscriptionId')
             """, prefix));
        // Entities' asynchronous EntityProfile (a multi-stream projection): articles and mentions per entity over every
        // extraction in the store. An event the daemon stepped over would leave a profile short.
        var entities = schemaOf("Entities");
        differences.AddRange(await RowsAsync(connection,
            $"""
             with folded as (
               select x->>'id' as id, count(distinct e.seq_id) as articles, sum(jsonb_array_length(x->'mentions')) as mentions
               from "{entities}".mt_events e, jsonb_array_elements(e.data->'entities') x
               where e.type = 'article_entities_extracted' and x->>'type' not in ('MONEY', 'PERCENT', 'DATE')
               group by x->>'id')
             select 'profile ' || f.id || ': articles ' || coalesce(p.data->>'articles', 'missing') || ' (events: ' || f.articles || '), mentions '
                    || coalesce(p.data->>'mentions', 'missing') || ' (events: ' || f.mentions || ')'
             from folded f left join "{entities}".mt_doc_entityprofile p on p.id = f.id
             where p.id is null or (p.data->>'articles')::bigint <> f.articles or (p.data->>'mentions')::bigint <> f.mentions
             """, null));
        return differences;
    }

    // The document of each of the load's articles against the last event of `type` in its stream.
    private static string LastEventAgrees(string schema, string ingestion, string type, string table, string fromEvent, string fromDocument) =>
        $"""
         select '{table} ' || a.stream_id || ': ' || coalesce(({fromDocument})::text, 'missing') || ' vs events ' || coalesce(({fromEvent})::text, 'none')
         from (select stream_id from "{ingestion}".mt_events where type = 'article_submitted' and data->>'url' like @prefix) a
         join lateral (select data from "{schema}".mt_events where stream_id = a.stream_id and type = '{type}' order by version desc limit 1) last on true
         left join "{schema}".{table} d on d.id = a.stream_id
         where d.id is null or ({fromDocument}) is distinct from ({fromEvent})
         """;

    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql, string? prefix)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (prefix is not null) command.Parameters.AddWithValue("prefix", prefix);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "(null)" : reader.GetString(0));
        return rows;
    }
}

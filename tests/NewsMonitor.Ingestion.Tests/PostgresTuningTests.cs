using Microsoft.Extensions.Configuration;
using NewsMonitor.ServiceDefaults;
using Npgsql;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>The pool settings Marten's connection string gets (issue 17's profile: no DISCARD ALL per session).</summary>
public sealed class PostgresTuningTests
{
    private const string Plain = "Host=127.0.0.1;Port=5432;Database=news;Username=u;Password=p";

    private static IConfiguration Settings(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(pair => new KeyValuePair<string, string?>("NewsMonitor:Postgres:" + pair.Key, pair.Value))).Build();

    [Fact]
    public void Connections_are_not_reset_on_return_and_nothing_is_prepared_by_default()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresTuning.Apply(Plain, Settings()));
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.Equal("news", tuned.Database);
        Assert.Equal("p", tuned.Password);
    }

    [Fact]
    public void Settings_turn_the_reset_back_on_and_auto_prepare_on()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresTuning.Apply(Plain, Settings(("NoResetOnClose", "false"), ("MaxAutoPrepare", "40"))));
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(40, tuned.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("noresetonclose=false")]
    public void The_connection_string_wins_over_the_default(string written)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresTuning.Apply(Plain + ";" + written, Settings(("MaxAutoPrepare", "10"))));
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(10, tuned.MaxAutoPrepare);
    }

    [Fact]
    public void A_written_auto_prepare_is_kept()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresTuning.Apply(Plain + ";Max Auto Prepare=5", Settings(("MaxAutoPrepare", "40"))));
        Assert.Equal(5, tuned.MaxAutoPrepare);
    }
}

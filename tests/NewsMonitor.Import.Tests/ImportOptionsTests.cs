namespace NewsMonitor.Import.Tests;

public sealed class ImportOptionsTests
{
    private static readonly string Input = typeof(ImportOptionsTests).Assembly.Location;

    private static (ImportOptions? Options, string? Error) Parse(Dictionary<string, string>? environment, params string[] args) =>
        ImportOptions.Parse(args, name => environment?.GetValueOrDefault(name));

    [Fact]
    public void Defaults_come_from_the_environment_then_the_local_gateway()
    {
        var (options, error) = Parse(new() { [ImportOptions.KeyVariable] = "nm_from-env" }, Input);
        Assert.Null(error);
        Assert.Equal("nm_from-env", options!.Key);
        Assert.Equal(new Uri("http://127.0.0.1:8080"), options.Gateway);
        Assert.Equal(200, options.Batch);
        Assert.Equal(Input + ".import-checkpoint.json", options.CheckpointPath);
        Assert.False(options.Restart);
        Assert.Null(options.Limit);
    }

    [Fact]
    public void Options_override_the_environment()
    {
        var (options, _) = Parse(new() { [ImportOptions.KeyVariable] = "nm_env", [ImportOptions.GatewayVariable] = "http://gw.example:9000" },
            Input, "--key", "nm_arg", "--gateway", "https://news.example/", "--batch", "50", "--checkpoint", "/tmp/c.json", "--restart", "--limit", "100", "--report", "/tmp/r.json");
        Assert.Equal(("nm_arg", new Uri("https://news.example/"), 50, "/tmp/c.json", true, 100L, "/tmp/r.json"),
            (options!.Key, options.Gateway, options.Batch, options.CheckpointPath, options.Restart, options.Limit, options.ReportPath));
    }

    [Theory]
    [InlineData("name a file", new string[0])]
    [InlineData("does not exist", new[] { "/no/such/file.ndjson", "--key", "k" })]
    [InlineData("--batch takes", new[] { "INPUT", "--key", "k", "--batch", "0" })]
    [InlineData("--batch takes", new[] { "INPUT", "--key", "k", "--batch", "1001" })]
    [InlineData("--batch takes", new[] { "INPUT", "--key", "k", "--batch" })]
    [InlineData("--limit takes", new[] { "INPUT", "--key", "k", "--limit", "-3" })]
    [InlineData("unknown option --fast", new[] { "INPUT", "--key", "k", "--fast" })]
    [InlineData("one input only", new[] { "INPUT", "INPUT", "--key", "k" })]
    [InlineData("--gateway must be", new[] { "INPUT", "--key", "k", "--gateway", "ftp://x" })]
    [InlineData("API key", new[] { "INPUT" })]
    public void A_wrong_command_line_is_named(string expected, string[] args)
    {
        var (options, error) = Parse(null, args.Select(arg => arg == "INPUT" ? Input : arg).ToArray());
        Assert.Null(options);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}

using Spectre.Console;

namespace NewsMonitor.Import.Tests;

public sealed class ImportCommandTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });
        var code = await ImportCommand.RunAsync(args, console, _ => null, CancellationToken.None, TestContext.Current.CancellationToken);
        return (code, output.ToString());
    }

    [Theory]
    [InlineData(0, "--help")]
    [InlineData(0, "import", "--help")]
    [InlineData(2)]
    [InlineData(2, "export", "x.ndjson")]
    [InlineData(2, "import")]
    [InlineData(2, "import", "/no/such/input.ndjson", "--key", "nm_k")]
    public async Task Usage_answers_with_its_exit_code_and_the_usage_text(int expected, params string[] args)
    {
        var (code, output) = await RunAsync(args);
        Assert.Equal(expected, code);
        Assert.Contains("usage: newsmonitor import", output, StringComparison.Ordinal);
        Assert.Contains("exit codes:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_gateway_gives_up_with_exit_code_3_and_records_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("nm-import-cmd-").FullName;
        try
        {
            var file = Path.Combine(folder, "a.ndjson");
            await File.WriteAllTextAsync(file, "{\"title\":\"t\",\"body\":\"b\"}\n", TestContext.Current.CancellationToken);
            // Port 1 on loopback: nothing listens, so every try is refused at once (the backoff waits are real: about 7 s).
            var (code, output) = await RunAsync("import", file, "--key", "nm_k", "--gateway", "http://127.0.0.1:1");
            Assert.Equal(3, code);
            Assert.Contains("unreachable", output, StringComparison.Ordinal);
            Assert.False(File.Exists(file + ".import-checkpoint.json"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

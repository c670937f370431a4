using System.Text;

namespace NewsMonitor.Feeds.Tests;

/// <summary>Reads the files under Fixtures/ (copied to the test output).</summary>
internal static class Fixture
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static string Utf8(string name) => Encoding.UTF8.GetString(Bytes(name));

    /// <summary>Non-empty lines of a UTF-8 text fixture (the paragraphs a page or feed was built from).</summary>
    public static string[] Lines(string name) => Utf8(name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

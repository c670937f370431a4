using System.IO.Compression;

namespace NewsMonitor.Testing;

/// <summary>Hand-made model files for loader tests: the services' model files are Brotli-compressed binary.</summary>
public static class BrotliFiles
{
    /// <summary>A Brotli-compressed file of whatever <paramref name="write"/> writes, positioned at its start.</summary>
    public static MemoryStream Write(Action<BinaryWriter> write)
    {
        var file = new MemoryStream();
        using (var compressed = new BrotliStream(file, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new BinaryWriter(compressed))
        {
            write(writer);
        }
        file.Position = 0;
        return file;
    }

    /// <summary>The decompressed bytes of what <paramref name="save"/> writes, so a test can cut or extend them.</summary>
    public static byte[] Saved(Action<Stream> save)
    {
        using var file = new MemoryStream();
        save(file);
        return Decompressed(file.ToArray());
    }

    /// <summary>The decompressed bytes of a Brotli-compressed file.</summary>
    public static byte[] Decompressed(byte[] file)
    {
        using var decompressed = new MemoryStream();
        using (var brotli = new BrotliStream(new MemoryStream(file), CompressionMode.Decompress)) brotli.CopyTo(decompressed);
        return decompressed.ToArray();
    }
}

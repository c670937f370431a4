using System.IO.Compression;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// The trained-model files the services ship (the topic model, the NER model): Brotli-compressed binary, written and
/// read whole.
/// </summary>
public static class ModelFiles
{
    /// <summary>Writes a model file: what <paramref name="write"/> writes, compressed at the smallest size.</summary>
    public static void Write(Stream output, Action<BinaryWriter> write)
    {
        using var compressed = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new BinaryWriter(compressed);
        write(writer);
    }

    /// <summary>
    /// Reads a model file with <paramref name="read"/>, which must stop where the file ends: bytes after it are refused
    /// (a count written too small would otherwise drop what follows unseen). A file that cannot be what
    /// <paramref name="read"/> expects (it ends early, a count overflows, a length or a value is malformed) is refused as
    /// <see cref="InvalidDataException"/> naming <paramref name="what"/>, whatever the reader threw.
    /// </summary>
    public static T Read<T>(Stream input, string what, Func<BinaryReader, T> read)
    {
        using var decompressed = new BrotliStream(input, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new BinaryReader(decompressed);
        try
        {
            var model = read(reader);
            if (decompressed.ReadByte() != -1) throw new InvalidDataException($"Bytes follow the {what}: not a file this build wrote.");
            return model;
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException or FormatException or IndexOutOfRangeException or ArgumentException or IOException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"Not a valid {what}: {e.Message}", e);
        }
    }
}

namespace NewsMonitor.Entities.Recognition;

/// <summary>Reading BIO tag sequences (<c>B-PERS I-PERS O</c>) as entity spans; one reader for the recogniser and the evaluation.</summary>
public static class BioTags
{
    /// <summary>Entity spans (start, end exclusive, type) of a BIO sequence, read as conlleval does.</summary>
    public static List<(int Start, int End, string Type)> Spans(IReadOnlyList<string> tags)
    {
        var spans = new List<(int, int, string)>();
        var start = -1;
        string? type = null;
        for (var i = 0; i <= tags.Count; i++)
        {
            var tag = i < tags.Count ? tags[i] : "O";
            var tagType = tag.Length > 2 ? tag[2..] : null;
            var begins = tag.StartsWith("B-", StringComparison.Ordinal) || (tag.StartsWith("I-", StringComparison.Ordinal) && tagType != type);
            if (type is not null && (tag == "O" || begins))
            {
                spans.Add((start, i, type));
                type = null;
            }
            if (begins)
            {
                start = i;
                type = tagType;
            }
        }
        return spans;
    }
}

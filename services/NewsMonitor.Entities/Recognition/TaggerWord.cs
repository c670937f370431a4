using NewsMonitor.Text;

namespace NewsMonitor.Entities.Recognition;

/// <summary>One token as the named-entity tagger sees it: its keys, its clitic split and its shape.</summary>
/// <param name="Key">Normalised surface form.</param>
/// <param name="LexicalKey">Normalised article + stem (proclitics removed).</param>
/// <param name="Stem">Normalised stem without article and clitics.</param>
/// <param name="Proclitics">Normalised proclitics (و ف ب ل ك), empty when none.</param>
/// <param name="HasArticle">Whether the word carries the article ال.</param>
/// <param name="Shape">Script and case class: <c>ar</c>, <c>Lat</c>, <c>lat</c>, <c>LAT</c>, <c>9</c>, <c>p</c> (punctuation), <c>s</c> (symbol).</param>
/// <param name="Known">Whether the text core's lexicon knows the word.</param>
public readonly record struct TaggerWord(string Key, string LexicalKey, string Stem, string Proclitics, bool HasArticle, string Shape, bool Known)
{
    /// <summary>The tagger's view of an analysed token of <paramref name="text"/>.</summary>
    public static TaggerWord From(string text, in AnalyzedToken token)
    {
        var key = token.Key;
        var analysis = token.Analysis;
        string stem = key, proclitics = "";
        if (token.Kind == TokenKind.Word && !analysis.IsWhole && analysis.StemStart + analysis.StemLength <= key.Length)
        {
            stem = key.Substring(analysis.StemStart, analysis.StemLength);
            proclitics = key[..analysis.ProcliticLength];
        }
        return new TaggerWord(key, token.LexicalKey, stem, proclitics, analysis.HasArticle, ShapeOf(text.AsSpan(token.Start, token.Length), token.Kind), token.Known);
    }

    /// <summary>The tagger's view of each word of an already tokenised sentence (training and evaluation data).</summary>
    public static TaggerWord[] FromWords(IReadOnlyList<string> words, TextAnalyzer analyzer)
    {
        var result = new TaggerWord[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            var analyzed = analyzer.Analyze(words[i]);
            // A data token the tokenizer splits (2,5 or U.S.) is read as its first piece; one that is all spaces as itself.
            result[i] = analyzed.Tokens.Count == 0
                ? new TaggerWord(words[i], words[i], words[i], "", false, "s", false)
                : From(words[i], analyzed.Tokens[0]);
        }
        return result;
    }

    private static string ShapeOf(ReadOnlySpan<char> written, TokenKind kind)
    {
        switch (kind)
        {
            case TokenKind.Number: return "9";
            case TokenKind.Punctuation: return "p";
            case TokenKind.Symbol: return "s";
        }
        bool latin = false, upperFirst = false, allUpper = true;
        for (var i = 0; i < written.Length; i++)
        {
            var c = written[i];
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z')
            {
                if (!latin) upperFirst = char.IsUpper(c);
                latin = true;
                if (char.IsLower(c)) allUpper = false;
            }
        }
        if (!latin) return "ar";
        return allUpper && written.Length > 1 ? "LAT" : upperFirst ? "Lat" : "lat";
    }
}

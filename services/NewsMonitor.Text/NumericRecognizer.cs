using System.Globalization;

namespace NewsMonitor.Text;

/// <summary>What a numeric expression denotes.</summary>
public enum NumericKind
{
    /// <summary>An amount of money: value like <c>40000000000 USD</c>.</summary>
    Money,
    /// <summary>A percentage: value like <c>2%</c>.</summary>
    Percent,
    /// <summary>A date, month, year, date range or weekday, as ISO 8601 / TIMEX3: <c>2024-07-09/2024-07-11</c>, <c>2014-09</c>, <c>XXXX-WXX-3</c>.</summary>
    Date,
    /// <summary>A time of day: <c>10:30</c>.</summary>
    Time,
    /// <summary>Any other number: value is the number, unit the counted word's lexical key when there is one.</summary>
    Count,
}

/// <summary>A recognised numeric expression with its normalised value.</summary>
/// <param name="Kind">What it denotes.</param>
/// <param name="Start">Offset in the original text.</param>
/// <param name="Length">Length in the original text.</param>
/// <param name="Text">The expression as written.</param>
/// <param name="Value">Normalised value (see <see cref="NumericKind"/>).</param>
/// <param name="Amount">The number, for money, percentages and counts.</param>
/// <param name="Unit">ISO 4217 currency, <c>%</c>, or the counted word.</param>
public sealed record NumericExpression(NumericKind Kind, int Start, int Length, string Text, string Value, decimal? Amount, string? Unit);

/// <summary>
/// Recognises money (<c>20 مليار يورو</c>, <c>$40bn</c>), percentages (<c>2%</c>, <c>5 بالمئة</c>), dates
/// (<c>سبتمبر 2014</c>, <c>9 حتى 11 تموز/يوليو 2024</c>, <c>يوم الأربعاء</c>, <c>عام 2025</c>), times and counts
/// over analysed tokens. Pure; greedy left to right, longest pattern first.
/// </summary>
public static class NumericRecognizer
{
    private static readonly Dictionary<string, decimal> Multipliers = new(StringComparer.Ordinal)
    {
        ["الف"] = 1_000m, ["الاف"] = 1_000m, ["الفا"] = 1_000m, ["thousand"] = 1_000m, ["k"] = 1_000m,
        ["مليون"] = 1_000_000m, ["ملايين"] = 1_000_000m, ["million"] = 1_000_000m, ["m"] = 1_000_000m, ["mn"] = 1_000_000m,
        ["مليار"] = 1_000_000_000m, ["مليارات"] = 1_000_000_000m, ["بليون"] = 1_000_000_000m, ["billion"] = 1_000_000_000m, ["bn"] = 1_000_000_000m, ["b"] = 1_000_000_000m,
        ["تريليون"] = 1_000_000_000_000m, ["trillion"] = 1_000_000_000_000m, ["tn"] = 1_000_000_000_000m,
    };

    private static readonly Dictionary<string, string> CurrencyWords = new(StringComparer.Ordinal)
    {
        ["دولار"] = "USD", ["دولارا"] = "USD", ["دولارات"] = "USD", ["الدولار"] = "USD", ["الدولارات"] = "USD", ["dollar"] = "USD", ["dollars"] = "USD", ["usd"] = "USD",
        ["يورو"] = "EUR", ["اليورو"] = "EUR", ["euro"] = "EUR", ["euros"] = "EUR", ["eur"] = "EUR",
        ["استرليني"] = "GBP", ["pound"] = "GBP", ["pounds"] = "GBP", ["gbp"] = "GBP",
        ["جنيه"] = "EGP", ["جنيها"] = "EGP", ["جنيهات"] = "EGP",
        ["ريال"] = "SAR", ["ريالا"] = "SAR", ["ريالات"] = "SAR", ["درهم"] = "AED", ["دراهم"] = "AED", ["دينار"] = "DINAR", ["دينارا"] = "DINAR",
        ["روبل"] = "RUB", ["يوان"] = "CNY", ["ين"] = "JPY", ["ليره"] = "TRY",
    };

    private static readonly Dictionary<string, string> CurrencySymbols = new(StringComparer.Ordinal) { ["$"] = "USD", ["€"] = "EUR", ["£"] = "GBP", ["¥"] = "JPY" };

    private static readonly Dictionary<string, int> Months = new(StringComparer.Ordinal)
    {
        ["يناير"] = 1, ["فبراير"] = 2, ["مارس"] = 3, ["ابريل"] = 4, ["افريل"] = 4, ["مايو"] = 5, ["ماي"] = 5, ["يونيو"] = 6, ["يونيه"] = 6, ["جوان"] = 6,
        ["يوليو"] = 7, ["يوليه"] = 7, ["جويليه"] = 7, ["اغسطس"] = 8, ["اوت"] = 8, ["سبتمبر"] = 9, ["اكتوبر"] = 10, ["نوفمبر"] = 11, ["ديسمبر"] = 12,
        ["شباط"] = 2, ["اذار"] = 3, ["نيسان"] = 4, ["ايار"] = 5, ["حزيران"] = 6, ["تموز"] = 7, ["اب"] = 8, ["ايلول"] = 9,
        ["january"] = 1, ["february"] = 2, ["march"] = 3, ["april"] = 4, ["may"] = 5, ["june"] = 6, ["july"] = 7, ["august"] = 8,
        ["september"] = 9, ["october"] = 10, ["november"] = 11, ["december"] = 12,
    };

    // Levantine months of two words: تشرين الأول (10), تشرين الثاني (11), كانون الأول (12), كانون الثاني (1).
    private static readonly Dictionary<(string, string), int> TwoWordMonths = new()
    {
        [("تشرين", "الاول")] = 10, [("تشرين", "الثاني")] = 11, [("كانون", "الاول")] = 12, [("كانون", "الثاني")] = 1,
    };

    private static readonly Dictionary<string, int> Weekdays = new(StringComparer.Ordinal)
    {
        ["الاثنين"] = 1, ["الثلاثاء"] = 2, ["الاربعاء"] = 3, ["الخميس"] = 4, ["الجمعه"] = 5, ["السبت"] = 6, ["الاحد"] = 7,
    };

    private static readonly HashSet<string> PercentWords = Keys("المئة", "المائة", "بالمئة", "بالمائة", "percent", "pct");
    private static readonly HashSet<string> RangeWords = Keys("حتى", "إلى", "و", "-", "–", "to");
    private static readonly HashSet<string> YearWords = Keys("عام", "العام", "سنة", "السنة");

    // Every word list is written in ordinary spelling and folded like the text it is compared with.
    private static HashSet<string> Keys(params string[] words) => words.Select(ArabicNormalizer.Normalize).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> StartWords = Months.Keys.Concat(TwoWordMonths.Keys.Select(pair => pair.Item1))
        .Concat(Weekdays.Keys).Append("يوم").Append("اليوم").ToHashSet(KeyComparer.Instance);

    private static bool CanStart(AnalyzedToken token) => token.Kind switch
    {
        TokenKind.Number => true,
        TokenKind.Symbol => CurrencySymbols.ContainsKey(token.Key),
        TokenKind.Word => StartWords.Contains(token.LexicalKey) || (!ReferenceEquals(token.Key, token.LexicalKey) && StartWords.Contains(token.Key)),
        _ => false,
    };

    /// <summary>Recognises the numeric expressions among <paramref name="tokens"/> of <paramref name="text"/>.</summary>
    public static IReadOnlyList<NumericExpression> Recognize(string text, IReadOnlyList<AnalyzedToken> tokens)
    {
        var found = new List<NumericExpression>();
        var reader = new Reader(text, tokens);
        for (var i = 0; i < tokens.Count;)
        {
            // Most tokens are words that can start no expression: one look-up decides.
            if (!CanStart(tokens[i])) { i++; continue; }
            var next = reader.Date(i, found) ?? reader.Weekday(i, found) ?? reader.MoneyOrPercentOrCount(i, found);
            i = next ?? i + 1;
        }
        return found;
    }

    private readonly struct Reader(string text, IReadOnlyList<AnalyzedToken> tokens)
    {
        private string Key(int i) => i >= 0 && i < tokens.Count ? tokens[i].LexicalKey : "";

        private string Surface(int i) => i >= 0 && i < tokens.Count ? tokens[i].Key : "";

        private bool IsNumber(int i) => i >= 0 && i < tokens.Count && tokens[i].Kind == TokenKind.Number;

        private decimal? Number(int i) =>
            IsNumber(i) && decimal.TryParse(tokens[i].Key.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;

        private void Add(List<NumericExpression> found, NumericKind kind, int first, int last, string value, decimal? amount = null, string? unit = null)
        {
            // A leading word's proclitics (و in ويناير) are not part of the expression.
            var start = tokens[first].ContentStart;
            var end = tokens[last].End;
            found.Add(new NumericExpression(kind, start, end - start, text[start..end], value, amount, unit));
        }

        /// <summary>A month at <paramref name="i"/> (one word, two words, or "A/B" pairs of names): its number and the last token.</summary>
        private (int Month, int Last)? Month(int i)
        {
            int month, last;
            if (TwoWordMonths.TryGetValue((Key(i), Key(i + 1)), out month)) last = i + 1;
            else if (Months.TryGetValue(Key(i), out month) || Months.TryGetValue(Surface(i), out month)) last = i;
            else return null;
            // تموز/يوليو, أكتوبر/تشرين الأول: the second name of a pair names the same month.
            if (Surface(last + 1) == "/" && (TwoWordMonths.ContainsKey((Key(last + 2), Key(last + 3))) || Months.ContainsKey(Key(last + 2))))
                last += TwoWordMonths.ContainsKey((Key(last + 2), Key(last + 3))) ? 3 : 2;
            return (month, last);
        }

        private int? Year(int i) => Number(i) is { } n && n == decimal.Truncate(n) && n is >= 1000 and <= 2999 ? (int)n : null;

        private int? Day(int i) => Number(i) is { } n && n == decimal.Truncate(n) && n is >= 1 and <= 31 ? (int)n : null;

        public int? Date(int i, List<NumericExpression> found)
        {
            // day [range] month [year]
            if (Day(i) is { } day)
            {
                var j = i + 1;
                int? endDay = null;
                if (RangeWords.Contains(Key(j)) && Day(j + 1) is { } d2) { endDay = d2; j += 2; }
                if (Month(j) is { } month)
                {
                    var last = month.Last;
                    var year = Year(last + 1);
                    if (year is not null) last++;
                    var y = year is null ? "XXXX" : year.Value.ToString("D4", CultureInfo.InvariantCulture);
                    var value = $"{y}-{month.Month:D2}-{day:D2}" + (endDay is null ? "" : $"/{y}-{month.Month:D2}-{endDay:D2}");
                    Add(found, NumericKind.Date, i, last, value);
                    return last + 1;
                }
            }
            // month year
            if (Month(i) is { } onlyMonth && Year(onlyMonth.Last + 1) is { } monthYear)
            {
                Add(found, NumericKind.Date, i, onlyMonth.Last + 1, $"{monthYear:D4}-{onlyMonth.Month:D2}");
                return onlyMonth.Last + 2;
            }
            // عام 2025 / the year alone, when nothing after it makes it an amount
            if (Year(i) is { } alone && tokens[i].Key.Length == 4 && !Multipliers.ContainsKey(Key(i + 1)) && !CurrencyWords.ContainsKey(Key(i + 1))
                && !PercentWords.Contains(Key(i + 1)) && Surface(i + 1) is not ("%" or ":") && (YearWords.Contains(Key(i - 1)) || alone is >= 1900 and <= 2100))
            {
                Add(found, NumericKind.Date, i, i, alone.ToString("D4", CultureInfo.InvariantCulture));
                return i + 1;
            }
            return null;
        }

        public int? Weekday(int i, List<NumericExpression> found)
        {
            // يوم الأربعاء, or a weekday name on its own (الاثنين only after يوم: alone it also means "the two").
            var afterDay = Key(i) == "يوم" || Key(i) == "اليوم";
            var at = afterDay ? i + 1 : i;
            if (!Weekdays.TryGetValue(Key(at), out var weekday) || (!afterDay && weekday == 1)) return null;
            Add(found, NumericKind.Date, i, at, $"XXXX-WXX-{weekday}");
            return at + 1;
        }

        public int? MoneyOrPercentOrCount(int i, List<NumericExpression> found)
        {
            var first = i;
            string? currency = null;
            if (CurrencySymbols.TryGetValue(Surface(i), out var symbol) && IsNumber(i + 1)) { currency = symbol; i++; }
            if (Number(i) is not { } number) return null;

            // 10:30 is a time of day
            if (currency is null && Surface(i + 1) == ":" && Number(i + 2) is { } minutes && number is >= 0 and <= 23 && minutes is >= 0 and <= 59 && tokens[i + 2].Key.Length == 2)
            {
                Add(found, NumericKind.Time, i, i + 2, $"{(int)number:D2}:{(int)minutes:D2}");
                return i + 3;
            }

            var last = i;
            if (Multipliers.TryGetValue(Key(last + 1), out var multiplier)) { number *= multiplier; last++; }
            if (currency is null && CurrencyWords.TryGetValue(Key(last + 1), out var word))
            {
                currency = word;
                last++;
                // جنيه إسترليني is sterling; دولار أمريكي names the dollar twice.
                if (Key(last + 1) == "استرليني") { currency = "GBP"; last++; }
                else if (currency == "USD" && Key(last + 1) is "امريكي" or "اميركي") last++;
            }
            if (currency is not null)
            {
                Add(found, NumericKind.Money, first, last, $"{Format(number)} {currency}", number, currency);
                return last + 1;
            }
            if (Surface(last + 1) == "%" || PercentWords.Contains(Key(last + 1)))
            {
                Add(found, NumericKind.Percent, first, last + 1, Format(number) + "%", number, "%");
                return last + 2;
            }
            if (Key(last + 1) == "في" && PercentWords.Contains(Key(last + 2)))
            {
                Add(found, NumericKind.Percent, first, last + 2, Format(number) + "%", number, "%");
                return last + 3;
            }
            var unit = last + 1 < tokens.Count && tokens[last + 1].Kind == TokenKind.Word ? tokens[last + 1].LexicalKey : null;
            Add(found, NumericKind.Count, first, last, Format(number), number, unit);
            return last + 1;
        }

        private static string Format(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);
    }
}

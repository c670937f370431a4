using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NewsMonitor.Feeds;

/// <summary>
/// Tolerant date reading for feeds: ISO 8601, RFC 822/1123 with named zones (GMT, EST, AST, …) or numeric offsets,
/// Arabic-Indic digits, Arabic month names (Egyptian and Levantine) and weekday names. Unknown zone names count as UTC.
/// </summary>
internal static partial class FeedDates
{
    private static readonly (string Name, string Month)[] ArabicMonths =
    [
        ("كانون الثاني", "Jan"), ("كانون الأول", "Dec"), ("تشرين الأول", "Oct"), ("تشرين الثاني", "Nov"),
        ("يناير", "Jan"), ("فبراير", "Feb"), ("مارس", "Mar"), ("أبريل", "Apr"), ("ابريل", "Apr"), ("إبريل", "Apr"),
        ("مايو", "May"), ("يونيو", "Jun"), ("يونيه", "Jun"), ("يوليو", "Jul"), ("يوليه", "Jul"), ("أغسطس", "Aug"),
        ("اغسطس", "Aug"), ("سبتمبر", "Sep"), ("أكتوبر", "Oct"), ("اكتوبر", "Oct"), ("نوفمبر", "Nov"), ("ديسمبر", "Dec"),
        ("شباط", "Feb"), ("آذار", "Mar"), ("نيسان", "Apr"), ("أيار", "May"), ("حزيران", "Jun"), ("تموز", "Jul"),
        ("آب", "Aug"), ("أيلول", "Sep"),
    ];

    private static readonly string[] ArabicWeekdays = ["الأحد", "الاحد", "الإثنين", "الاثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس", "الجمعة", "السبت"];

    private static readonly Dictionary<string, int> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMT"] = 0, ["UT"] = 0, ["UTC"] = 0, ["Z"] = 0, ["WET"] = 0, ["BST"] = 60, ["CET"] = 60, ["CEST"] = 120,
        ["EET"] = 120, ["EEST"] = 180, ["AST"] = 180, ["MSK"] = 180, ["GST"] = 240, ["IRST"] = 210,
        ["EST"] = -300, ["EDT"] = -240, ["CST"] = -360, ["CDT"] = -300, ["MST"] = -420, ["MDT"] = -360,
        ["PST"] = -480, ["PDT"] = -420,
    };

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = Normalize(value);
        var match = Rfc822().Match(text);
        if (match.Success) return FromRfc822(match);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            return parsed;
        return null;
    }

    private static string Normalize(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
        {
            builder.Append(c switch
            {
                >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
                >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
                '،' => ',',
                _ => c,
            });
        }
        var text = builder.ToString();
        foreach (var (name, month) in ArabicMonths) text = text.Replace(name, month, StringComparison.Ordinal);
        foreach (var day in ArabicWeekdays) text = text.Replace(day, "", StringComparison.Ordinal);
        return text.Trim().TrimStart(',').Trim();
    }

    private static DateTimeOffset? FromRfc822(Match match)
    {
        var month = Array.IndexOf(Months, match.Groups["month"].Value[..3].ToLowerInvariant()) + 1;
        if (month == 0) return null;
        var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (year < 100) year += year < 50 ? 2000 : 1900;
        var hour = match.Groups["hour"].Success ? int.Parse(match.Groups["hour"].Value, CultureInfo.InvariantCulture) : 0;
        var minute = match.Groups["minute"].Success ? int.Parse(match.Groups["minute"].Value, CultureInfo.InvariantCulture) : 0;
        var second = match.Groups["second"].Success ? int.Parse(match.Groups["second"].Value, CultureInfo.InvariantCulture) : 0;
        var offsetMinutes = 0;
        var zone = match.Groups["zone"].Value;
        if (zone.Length > 0 && (zone[0] == '+' || zone[0] == '-'))
        {
            var digits = zone[1..].Replace(":", "", StringComparison.Ordinal);
            offsetMinutes = int.Parse(digits[..2], CultureInfo.InvariantCulture) * 60 + int.Parse(digits[2..], CultureInfo.InvariantCulture);
            if (zone[0] == '-') offsetMinutes = -offsetMinutes;
        }
        else if (Zones.TryGetValue(zone, out var known)) offsetMinutes = known;
        if (day is < 1 or > 31 || hour > 23 || minute > 59 || second > 60 || Math.Abs(offsetMinutes) > 14 * 60) return null;
        try
        {
            return new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.FromMinutes(offsetMinutes));
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // 31 February and the like
        }
    }

    [GeneratedRegex(@"^(?:[A-Za-z]+\.?\s*,?\s*)?(?<day>\d{1,2})[\s\-]+(?<month>[A-Za-z]{3,9})\.?[\s\-,]+(?<year>\d{2,4})(?:[\sT,]+(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2}))?(?:\.\d+)?)?\s*(?<zone>[A-Za-z]{1,5}|[+\-]\d{2}:?\d{2})?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc822();
}

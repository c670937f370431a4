using System.Globalization;
using System.Net;
using System.Text;

namespace NewsMonitor.Load;

/// <summary>A named line of a chart: x and y in data units.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>One panel of a chart: a title, axis labels and its lines, plus vertical markers (x, label).</summary>
public sealed record Panel(string Title, string XLabel, string YLabel, IReadOnlyList<Series> Lines, IReadOnlyList<(double X, string Label)>? Markers = null);

/// <summary>
/// Renders line charts as plain SVG 1.1 (no script, no external fonts), panels stacked vertically: docs/benchmarks.md
/// shows them as images, and they diff as text. Pure: the same panels give the same bytes.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
    private const int Width = 760, PanelHeight = 260, Left = 70, Right = 170, Top = 34, Bottom = 44;

    /// <summary>The SVG document of <paramref name="panels"/>, each <c>PanelHeight</c> high.</summary>
    public static string Render(IReadOnlyList<Panel> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        var svg = new StringBuilder();
        var height = PanelHeight * Math.Max(1, panels.Count);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        for (var i = 0; i < panels.Count; i++) RenderPanel(svg, panels[i], i * PanelHeight);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void RenderPanel(StringBuilder svg, Panel panel, int offset)
    {
        var points = panel.Lines.SelectMany(line => line.X.Zip(line.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        var (xMin, xMax) = points.Count > 0 ? (Math.Min(0, points.Min(p => p.First)), points.Max(p => p.First)) : (0, 1);
        var yMax = points.Count > 0 ? points.Max(p => p.Second) : 1;
        if (xMax <= xMin) xMax = xMin + 1;
        yMax = NiceCeiling(yMax <= 0 ? 1 : yMax);
        var plotWidth = Width - Left - Right;
        var plotHeight = PanelHeight - Top - Bottom;
        double Px(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Py(double y) => offset + Top + plotHeight - y / yMax * plotHeight;

        svg.Append(Invariant($"<text x=\"{Left}\" y=\"{offset + 20}\" font-size=\"13\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n"));
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{offset + Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#999\"/>\n"));
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = yMax * tick / 4;
            var x = xMin + (xMax - xMin) * tick / 4;
            svg.Append(Invariant($"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Py(y):F1}\" y2=\"{Py(y):F1}\" stroke=\"#eee\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{Py(y) + 4:F1}\" text-anchor=\"end\">{Format(y)}</text>\n"));
            svg.Append(Invariant($"<text x=\"{Px(x):F1}\" y=\"{offset + Top + plotHeight + 16}\" text-anchor=\"middle\">{Format(x)}</text>\n"));
        }
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{offset + PanelHeight - 8}\" text-anchor=\"middle\">{Escape(panel.XLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(16 {offset + Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n"));
        foreach (var (x, label) in panel.Markers ?? [])
        {
            svg.Append(Invariant($"<line x1=\"{Px(x):F1}\" x2=\"{Px(x):F1}\" y1=\"{offset + Top}\" y2=\"{offset + Top + plotHeight}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Px(x) + 3:F1}\" y=\"{offset + Top + 12}\" fill=\"#555\">{Escape(label)}</text>\n"));
        }
        for (var i = 0; i < panel.Lines.Count; i++)
        {
            var line = panel.Lines[i];
            var colour = Colours[i % Colours.Length];
            var path = string.Join(' ', line.X.Zip(line.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second))
                .Select(p => Invariant($"{Px(p.First):F1},{Py(p.Second):F1}")));
            if (path.Length > 0) svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\" points=\"{path}\"/>\n"));
            var legendY = offset + Top + 14 + i * 16;
            svg.Append(Invariant($"<line x1=\"{Left + plotWidth + 10}\" x2=\"{Left + plotWidth + 28}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left + plotWidth + 32}\" y=\"{legendY}\">{Escape(line.Name)}</text>\n"));
        }
    }

    /// <summary>1, 2, 2.5 or 5 times a power of ten at or above <paramref name="value"/>: round axis ends.</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 0 || !double.IsFinite(value)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * power >= value * (1 - 1e-12)) return step * power;
        }
        return 10 * power;
    }

    private static string Format(double value) => Math.Abs(value) >= 100 || value == Math.Floor(value)
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

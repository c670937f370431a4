using System.Xml.Linq;
using NewsMonitor.Load;

namespace NewsMonitor.Load.Tests;

public sealed class SvgChartTests
{
    [Fact]
    public void A_chart_is_well_formed_svg_with_one_line_per_series_and_its_legend()
    {
        var svg = SvgChart.Render([
            new Panel("Throughput <per stage>", "s", "articles/s", [new Series("stored", [0, 1, 2], [0, 50, 100]), new Series("classified", [0, 1, 2], [0, 20, 40])], [(1.5, "last POST")]),
            new Panel("Lag", "s", "events", [new Series("lag", [0, 1], [3, 0])]),
        ]);
        var document = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", document.Root!.Name);
        Assert.Equal("520", document.Root.Attribute("height")!.Value);
        Assert.Equal(3, document.Descendants(ns + "polyline").Count());
        var texts = document.Descendants(ns + "text").Select(text => text.Value).ToList();
        Assert.Contains("Throughput <per stage>", texts); // escaped in the markup, intact as text
        Assert.Contains("classified", texts);
        Assert.Contains("last POST", texts);
    }

    [Fact]
    public void Points_are_scaled_into_the_plot_with_the_largest_value_on_a_round_axis_end()
    {
        var svg = SvgChart.Render([new Panel("p", "x", "y", [new Series("a", [0, 10], [0, 80])])]);
        var points = XDocument.Parse(svg).Descendants(XName.Get("polyline", "http://www.w3.org/2000/svg")).Single().Attribute("points")!.Value.Split(' ');
        // x 0 → the left edge (70); x 10 → the right edge (760 − 170); y 80 on an axis to 100 → 80 % up the 182-pixel plot.
        Assert.Equal("70.0,216.0", points[0]);
        Assert.Equal("590.0,70.4", points[1]);
        Assert.Contains(">100<", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_points_are_left_out_and_an_empty_panel_still_renders()
    {
        var svg = SvgChart.Render([new Panel("p", "x", "y", [new Series("a", [0, 1, 2], [1, double.NaN, 2])]), new Panel("empty", "x", "y", [])]);
        var polyline = XDocument.Parse(svg).Descendants(XName.Get("polyline", "http://www.w3.org/2000/svg")).Single();
        Assert.Equal(2, polyline.Attribute("points")!.Value.Split(' ').Length);
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1, 1)]
    [InlineData(1.2, 2)]
    [InlineData(2.3, 2.5)]
    [InlineData(33, 50)]
    [InlineData(180, 200)]
    [InlineData(0, 1)]
    public void Axis_ends_are_round(double value, double expected) => Assert.Equal(expected, SvgChart.NiceCeiling(value), 9);
}

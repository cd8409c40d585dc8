using System.Text;
using Outpost.Operations;

namespace Outpost.Tests.Operations;

public sealed class MetricHistogramTests
{
    [Fact]
    public void Render_Observations_AreCumulativeBucketsWithSumAndCount()
    {
        var histogram = new MetricHistogram([0.5, 1, 5]);
        histogram.Observe(0.5); // on a bound: counted in that bucket (le is "less or equal")
        histogram.Observe(0.75);
        histogram.Observe(10);
        histogram.Observe(-1); // a clock stepping back counts as zero

        var text = new StringBuilder();
        histogram.Render(text, "x_seconds", "backend=\"local\"");

        Assert.Equal(
            """
            x_seconds_bucket{backend="local",le="0.5"} 2
            x_seconds_bucket{backend="local",le="1"} 3
            x_seconds_bucket{backend="local",le="5"} 3
            x_seconds_bucket{backend="local",le="+Inf"} 4
            x_seconds_sum{backend="local"} 11.25
            x_seconds_count{backend="local"} 4

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }

    [Fact]
    public void Render_WithoutLabels_HasNoEmptyBraces()
    {
        var histogram = new MetricHistogram([1]);
        histogram.Observe(2);

        var text = new StringBuilder();
        histogram.Render(text, "y", "");

        Assert.Equal("y_bucket{le=\"1\"} 0\ny_bucket{le=\"+Inf\"} 1\ny_sum 2\ny_count 1\n", text.ToString());
    }
}

using Outpost.Operations;

namespace Outpost.Tests.Operations;

public sealed class MetricSeriesIndexTests
{
    private static KeyValuePair<string, object?>[] Tags(string method, int status) =>
        [new("method", new string(method.AsSpan())), new("status", status)];

    [Fact]
    public void Find_ATagSetSeenBefore_GivesItsSeries()
    {
        var index = new MetricSeriesIndex<object>();
        var series = new object();
        Assert.Null(index.Find(Tags("GET", 200)));

        Assert.Same(series, index.Add(Tags("GET", 200), series));

        // Other string and boxed-int instances with the same values.
        Assert.Same(series, index.Find(Tags("GET", 200)));
    }

    [Fact]
    public void Find_OtherValuesKeysCountOrTypes_AreNotTheSameEntry()
    {
        var index = new MetricSeriesIndex<object>();
        index.Add(Tags("GET", 200), new object());

        Assert.Null(index.Find(Tags("GET", 404)));
        Assert.Null(index.Find(Tags("POST", 200)));
        Assert.Null(index.Find([new("method", "GET")]));
        Assert.Null(index.Find([new("status", 200), new("method", "GET")]));
        Assert.Null(index.Find([new("method", "GET"), new("status", 200L)]));
        Assert.Null(index.Find([new("verb", "GET"), new("status", 200)]));
    }

    [Fact]
    public void Add_TheSameTagSetTwice_KeepsTheFirstSeries()
    {
        var index = new MetricSeriesIndex<object>();
        var first = new object();

        index.Add(Tags("GET", 200), first);

        Assert.Same(first, index.Add(Tags("GET", 200), new object()));
        Assert.Same(first, index.Find(Tags("GET", 200)));
    }

    [Fact]
    public async Task Find_WhileOthersAdd_AlwaysGivesTheOneSeriesOfATagSet()
    {
        var index = new MetricSeriesIndex<object>();
        var found = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var seen = new object[50];
            for (var status = 0; status < seen.Length; status++)
            {
                seen[status] = index.Find(Tags("GET", status)) ?? index.Add(Tags("GET", status), new object());
            }
            return seen;
        })));

        for (var status = 0; status < 50; status++)
        {
            Assert.All(found, seen => Assert.Same(found[0][status], seen[status]));
            Assert.Same(found[0][status], index.Find(Tags("GET", status)));
        }
    }
}

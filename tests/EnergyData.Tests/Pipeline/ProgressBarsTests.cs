using System.Linq;
using EnergyData.Pipeline;
using Xunit;

namespace EnergyData.Tests.Pipeline;

public sealed class ProgressBarsTests
{
    [Fact]
    public void Activity_ids_are_never_handed_out_twice()
    {
        var ids = Enumerable.Range(0, 1000).AsParallel().Select(_ => ProgressBars.NewActivityId()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(id > 0));
    }

    [Fact]
    public void A_completion_is_written_only_for_a_bar_on_screen()
    {
        var bars = new ProgressBars();
        Assert.False(bars.Track(7, completed: true));
        Assert.True(bars.Track(7, completed: false));
        Assert.True(bars.Track(7, completed: false));
        Assert.True(bars.Track(7, completed: true));
        Assert.False(bars.Track(7, completed: true));
        Assert.Empty(bars.TakeOpen());
    }

    [Fact]
    public void Bars_left_open_are_handed_back_once_in_the_order_they_appeared()
    {
        var bars = new ProgressBars();
        bars.Track(3, completed: false);
        bars.Track(1, completed: false);
        bars.Track(2, completed: false);
        bars.Track(3, completed: false);
        bars.Track(1, completed: true);
        Assert.Equal(new[] { 3, 2 }, bars.TakeOpen());
        Assert.Empty(bars.TakeOpen());
        Assert.False(bars.Track(3, completed: true));
    }
}

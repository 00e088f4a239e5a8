using System;
using EnergyData.Emulator;
using EnergyData.Neu;
using Xunit;

namespace EnergyData.Tests.Neu;

public sealed class NeuTokenAndDateTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-3600, NeuTokenState.Expired)]
    [InlineData(2 * 3600, NeuTokenState.ExpiresSoon)]
    [InlineData(23 * 3600, NeuTokenState.ExpiresSoon)]
    [InlineData(30 * 86400, NeuTokenState.Valid)]
    public void The_exp_claim_decides_the_state(int secondsFromNow, NeuTokenState expected)
    {
        var token = EmulatorTokens.CreateJwt("user", Now.AddSeconds(secondsFromNow));

        var status = NeuTokenInspector.Inspect(token.ToSecureStringForTest(), Now);

        Assert.Equal(expected, status.State);
        Assert.Equal(Now.AddSeconds(secondsFromNow).ToUnixTimeSeconds(), status.ExpiresAt!.Value.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("plain-api-token")]
    [InlineData("a.b")]
    [InlineData("aaa.!!!.ccc")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.WzEsMl0.sig")]
    public void A_token_that_is_not_a_JWT_gives_no_expiry(string token)
    {
        var status = NeuTokenInspector.Inspect(token.ToSecureStringForTest(), Now);

        Assert.Equal(NeuTokenState.NotJwt, status.State);
        Assert.Null(status.ExpiresAt);
        Assert.Contains("not a JWT", status.Describe(Now), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JWT_without_exp_is_reported_as_such()
    {
        // {"alg":"HS256"}.{"sub":"x"}
        var status = NeuTokenInspector.Inspect("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".ToSecureStringForTest(), Now);

        Assert.Equal(NeuTokenState.NoExpiry, status.State);
    }

    [Fact]
    public void The_description_of_an_expired_token_never_contains_the_token()
    {
        var token = EmulatorTokens.CreateJwt("user", Now.AddDays(-2));

        var text = NeuTokenInspector.Inspect(token.ToSecureStringForTest(), Now).Describe(Now);

        Assert.Contains("expired", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], text, StringComparison.Ordinal);
    }

    /// <summary>The tester's "(1 days ago)": how long ago, or how soon, reads with its unit in agreement.</summary>
    [Theory]
    [InlineData(-86400, "(1 day ago)")]
    [InlineData(-86400 - 3600, "(1 day ago)")]
    [InlineData(-(3 * 86400) / 2, "(1.5 days ago)")]
    [InlineData(-3600, "(1 hour ago)")]
    [InlineData(-7200, "(2 hours ago)")]
    [InlineData(-60, "(1 minute ago)")]
    [InlineData(-1, "(1 second ago)")]
    [InlineData(3600, "(in 1 hour)")]
    [InlineData(60, "(in 1 minute)")]
    public void How_long_ago_the_token_expired_or_how_soon_it_will_agrees_with_its_count(int secondsFromNow, string expected)
    {
        var status = NeuTokenInspector.Inspect(EmulatorTokens.CreateJwt("user", Now.AddSeconds(secondsFromNow)).ToSecureStringForTest(), Now);

        Assert.Contains(expected, status.Describe(Now), StringComparison.Ordinal);
        if (secondsFromNow < 0)
        {
            Assert.Contains(expected, status.DescribeRefusal(Now), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dates_are_sent_as_the_clock_time_given_and_UTC_values_in_Colombia_time()
    {
        Assert.Equal("2021-04-01T00:00:00", NeuDates.Format(new DateTime(2021, 4, 1)));
        Assert.Equal("2021-04-01T13:30:00", NeuDates.Format(new DateTime(2021, 4, 1, 13, 30, 0, DateTimeKind.Local)));
        Assert.Equal("2021-03-31T19:00:00", NeuDates.Format(new DateTime(2021, 4, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("2024-01-01T23:00:00Z", NeuDates.FormatFrontier(new DateTime(2024, 1, 1, 23, 0, 0)));
    }
}

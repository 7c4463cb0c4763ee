using Fleet.Striper.Health;
using Fleet.Striper.Paths;

namespace Fleet.Striper.Tests.Health;

public sealed class MtuProbeTallyTests
{
    /// <summary>Runs rounds in which the small probe is answered and the large one is answered when <paramref name="largeAnswered"/> says so.</summary>
    private static void Rounds(MtuProbeTally tally, int count, Func<int, bool> largeAnswered, SendResult largeSend = SendResult.Sent)
    {
        for (var i = 0; i < count; i++)
        {
            var round = tally.BeginRound();
            tally.OnSent(large: false, SendResult.Sent);
            tally.OnSent(large: true, largeSend);
            tally.OnAnswer(round, large: false);
            if (largeAnswered(i))
            {
                tally.OnAnswer(round, large: true);
            }
        }

        // Settles the last round.
        tally.BeginRound();
    }

    [Fact]
    public void LargeProbesNeverAnswered_LargeLossHundred_SmallLossZero()
    {
        var tally = new MtuProbeTally();

        Rounds(tally, 5, _ => false);

        Assert.Equal((100.0, 0.0), (tally.LargeLossPercent, tally.SmallLossPercent));
        Assert.Equal((5L, 5L, 5L, 0L), (tally.LargeSent, tally.LargeLost, tally.SmallSent, tally.SmallLost));
    }

    [Fact]
    public void FewerThanThreeRoundsSettled_NoPercentYet()
    {
        var tally = new MtuProbeTally();

        Rounds(tally, MtuProbeTally.MinimumRounds - 1, _ => false);

        Assert.Null(tally.LargeLossPercent);
        Assert.Null(tally.SmallLossPercent);
    }

    [Fact]
    public void Percent_LooksBackOnTheLastEightRoundsOnly()
    {
        var tally = new MtuProbeTally();

        // Ten lost, then six answered: of the last eight, two lost.
        Rounds(tally, 16, i => i >= 10);

        Assert.Equal(25.0, tally.LargeLossPercent);
        Assert.Equal(10L, tally.LargeLost);
    }

    [Fact]
    public void LocalKernelRefusesTheLargeProbe_CountedLostAndTooBig()
    {
        var tally = new MtuProbeTally();

        Rounds(tally, 4, _ => false, SendResult.TooBig);

        Assert.Equal(100.0, tally.LargeLossPercent);
        Assert.Equal((4L, 4L), (tally.LargeTooBig, tally.LargeLost));
    }

    [Theory]
    [InlineData(SendResult.BufferFull)]
    [InlineData(SendResult.LinkDown)]
    public void SendFailureNotAboutSize_NotCounted(SendResult result)
    {
        var tally = new MtuProbeTally();

        Rounds(tally, 4, _ => false, result);

        Assert.Null(tally.LargeLossPercent);
        Assert.Equal(0L, tally.LargeSent);
    }

    [Fact]
    public void AnswerArrivesBeforeTheSendReturned_CountedAnswered()
    {
        // On a short path the small probe's answer can arrive while the large probe is still being sent.
        var tally = new MtuProbeTally();
        for (var i = 0; i < 4; i++)
        {
            var round = tally.BeginRound();
            tally.OnAnswer(round, large: false);
            tally.OnSent(large: false, SendResult.Sent);
            tally.OnSent(large: true, SendResult.Sent);
            tally.OnAnswer(round, large: true);
        }

        tally.BeginRound();

        Assert.Equal((0.0, 0.0), (tally.SmallLossPercent, tally.LargeLossPercent));
        Assert.Equal(4L, tally.SmallSent);
    }

    [Fact]
    public void AnswerToAnOlderRound_IgnoredAsLate()
    {
        var tally = new MtuProbeTally();
        var first = tally.BeginRound();
        tally.OnSent(large: true, SendResult.Sent);
        var second = tally.BeginRound();
        tally.OnSent(large: true, SendResult.Sent);

        tally.OnAnswer(first, large: true);
        tally.OnAnswer(second, large: true);
        tally.BeginRound();

        Assert.Equal((2L, 1L), (tally.LargeSent, tally.LargeLost));
    }

    [Fact]
    public void NewSession_PendingProbesNotCounted()
    {
        var tally = new MtuProbeTally();
        tally.BeginRound();
        tally.OnSent(large: true, SendResult.Sent);

        tally.Reset();
        tally.BeginRound();

        Assert.Equal((1L, 0L), (tally.LargeSent, tally.LargeLost));
    }
}

using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

public sealed class HandshakeTests
{
    /// <summary>Hands <paramref name="hello"/> to <paramref name="to"/> as the receive loop does (a missing echo is zeros on the wire).</summary>
    private static HelloOutcome Deliver(Handshake to, HelloContent hello, out HelloContent reply) =>
        to.OnHello(hello.Random, hello.PublicKey, hello.Echo ?? new byte[32], out reply);

    /// <summary>Delivers one side's current hello to the other, and the answer back, until nothing changes.</summary>
    private static void Exchange(Handshake from, Handshake to)
    {
        var outcome = Deliver(to, from.HelloToSend, out var reply);
        if (outcome != HelloOutcome.None)
        {
            Deliver(from, reply, out _);
        }
    }

    /// <summary>Two sides with a session each has seen the other use.</summary>
    private static (Handshake A, Handshake B) Confirmed()
    {
        var a = new Handshake();
        var b = new Handshake();
        Exchange(a, b);
        Exchange(a, b);
        a.OnSessionTraffic();
        b.OnSessionTraffic();
        return (a, b);
    }

    [Fact]
    public void Share_MadeWhenFirstNeeded_AndAfterASessionOnlyWhenNeededAgain()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        Assert.False(a.HasPendingShare);
        Assert.False(b.HasPendingShare);

        Assert.Equal(HelloOutcome.Respond, Deliver(b, a.HelloToSend, out var reply));
        Assert.True(a.HasPendingShare);
        Assert.True(b.HasPendingShare);
        Assert.Equal(HelloOutcome.Established, Deliver(a, reply, out _));

        Assert.False(a.HasPendingShare);
        Assert.Equal(reply.Random, a.Established!.Peer);
        var next = a.PendingHello;
        Assert.True(a.HasPendingShare);
        Assert.NotEqual(a.Established.Mine, next.Random);
    }

    [Fact]
    public void OneSideStarts_BothEstablishSameRandomsKeysAndSecret()
    {
        using var a = new Handshake();
        using var b = new Handshake();

        Assert.Equal(HelloOutcome.Respond, Deliver(b, a.HelloToSend, out var reply));
        Assert.Equal(HelloOutcome.Established, Deliver(a, reply, out var confirm));
        Assert.Equal(HelloOutcome.Established, Deliver(b, confirm, out _));

        Assert.Equal(a.Established!.Mine, b.Established!.Peer);
        Assert.Equal(a.Established.Peer, b.Established.Mine);
        Assert.Equal(a.Established.MinePublicKey, b.Established.PeerPublicKey);
        Assert.Equal(a.Established.PeerPublicKey, b.Established.MinePublicKey);
        Assert.Equal(a.TakeSharedSecret(), b.TakeSharedSecret());
    }

    [Fact]
    public void BothStartAtOnce_Converge()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        var helloA = a.HelloToSend;
        var helloB = b.HelloToSend;

        // Hellos cross on the wire; each answers the other's.
        Deliver(a, helloB, out var replyA);
        Deliver(b, helloA, out var replyB);
        Deliver(a, replyB, out var confirmA);
        Deliver(b, replyA, out var confirmB);
        Deliver(b, confirmA, out _);
        Deliver(a, confirmB, out _);

        Assert.NotNull(a.Established);
        Assert.Equal(a.Established!.Mine, b.Established!.Peer);
        Assert.Equal(a.Established.Peer, b.Established.Mine);
        Assert.Equal(a.TakeSharedSecret(), b.TakeSharedSecret());
    }

    [Fact]
    public void ReplayedOldHello_DoesNotEstablishAgain()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        var first = a.HelloToSend;
        Deliver(b, first, out var reply);
        Deliver(a, reply, out var confirm);
        Deliver(b, confirm, out _);
        var session = b.Established;

        // An attacker replays every hello A ever sent.
        Assert.NotEqual(HelloOutcome.Established, Deliver(b, first, out _));
        Assert.Equal(HelloOutcome.None, Deliver(b, confirm, out _));

        Assert.Same(session, b.Established);
    }

    [Fact]
    public void DelayedFirstHello_AfterEstablishing_RepeatsSessionInsteadOfStartingAnother()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        var first = a.HelloToSend;

        Deliver(b, first, out var reply);
        Deliver(a, reply, out var confirm);
        Deliver(b, confirm, out _);
        var session = b.Established;

        // A's first hello, sent on a second path, arrives late.
        var outcome = Deliver(b, first, out var repeat);
        Assert.Equal(HelloOutcome.Respond, outcome);
        Assert.Equal(session!.Mine, repeat.Random);
        Assert.Equal(session.MinePublicKey, repeat.PublicKey);
        Assert.Equal(HelloOutcome.None, Deliver(a, repeat, out _));

        Assert.Same(session, b.Established);
    }

    [Fact]
    public void PeerRestarts_NewSessionWithFreshRandomsAndKeys()
    {
        var (a, b) = Confirmed();
        using var disposeA = a;
        using var disposeB = b;
        var old = b.Established!;

        using var restarted = new Handshake();
        Exchange(restarted, b);
        Exchange(restarted, b);

        Assert.NotNull(restarted.Established);
        Assert.Equal(restarted.Established!.Mine, b.Established!.Peer);
        Assert.NotEqual(old.Mine, b.Established.Mine); // b never reuses a random or a key pair for a second session
        Assert.NotEqual(old.MinePublicKey, b.Established.MinePublicKey);
        Assert.False(b.PeerConfirmed);
    }

    [Fact]
    public void NeedsHello_UntilPeerConfirmed()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        Assert.True(a.NeedsHello);
        Exchange(a, b);
        Exchange(a, b);

        Assert.True(a.NeedsHello);
        a.OnSessionTraffic();
        Assert.False(a.NeedsHello);
    }

    [Fact]
    public void OwnHellosAndAnswersReflected_NeverEstablishesWithItself_SessionKept()
    {
        var (a, b) = Confirmed();
        using var disposeA = a;
        using var disposeB = b;
        var session = b.Established!;

        // An attacker sends B its own hellos — the one it would send now, and the one of its session — and then every
        // answer B gives, back to B.
        foreach (var recorded in new[] { b.HelloToSend, new HelloContent(session.Mine, session.MinePublicKey, session.Peer) })
        {
            var hello = recorded;
            for (var round = 0; round < 4; round++)
            {
                var outcome = Deliver(b, hello, out var reply);
                Assert.NotEqual(HelloOutcome.Established, outcome);
                if (outcome is HelloOutcome.None or HelloOutcome.Reflected)
                {
                    break;
                }

                hello = reply;
            }
        }

        Assert.Same(session, b.Established);
        Assert.True(b.PeerConfirmed);
    }

    [Fact]
    public void HelloThatWouldEstablish_PublicKeyNotOnCurve_RefusedAndPendingKept()
    {
        using var a = new Handshake();
        using var b = new Handshake();
        Deliver(b, a.HelloToSend, out var reply);
        var pending = b.HelloToSend;

        // B's answer comes back from a peer (holding the pre-shared key) whose key is not a P-256 point.
        var badKey = new byte[64];
        badKey[63] = 1;
        Assert.Equal(HelloOutcome.InvalidKey, b.OnHello(a.HelloToSend.Random, badKey, reply.Random, out _));

        Assert.Null(b.Established);
        Assert.Equal(pending.Random, b.HelloToSend.Random);
        Assert.Equal(HelloOutcome.Established, Deliver(a, reply, out var confirm));
        Assert.Equal(HelloOutcome.Established, Deliver(b, confirm, out _));
    }

    [Fact]
    public void Withdraw_SessionJustEstablished_PreviousStaysAndNextHandshakeUsesFreshShare()
    {
        var (a, b) = Confirmed();
        using var _a = a;
        using var _b = b;
        var previous = b.Established!;

        // A restarts its handshake (a fresh share); B establishes from A's answer, then has to withdraw that session
        // (an aggregator found its tag taken) and answers with its pending share instead.
        using var restarted = new Handshake();
        Assert.Equal(HelloOutcome.Respond, Deliver(b, restarted.HelloToSend, out var reply));
        Assert.Equal(HelloOutcome.Established, Deliver(restarted, reply, out var confirm));
        Assert.Equal(HelloOutcome.Established, Deliver(b, confirm, out _));
        var withdrawn = b.Established!;
        b.Withdraw();
        var answer = b.PendingHello;

        Assert.Same(previous, b.Established);
        Assert.True(b.PeerConfirmed);
        Assert.Equal(withdrawn.Peer, answer.Echo);
        Assert.NotEqual(withdrawn.Mine, answer.Random);

        // The restarted side answers the fresh share; both establish a session neither had before.
        Assert.Equal(HelloOutcome.Respond, Deliver(restarted, answer, out var again));
        Assert.Equal(HelloOutcome.Established, Deliver(b, again, out var last));
        Assert.Equal(HelloOutcome.Established, Deliver(restarted, last, out _));
        Assert.Equal(b.Established!.Mine, restarted.Established!.Peer);
        Assert.NotEqual(withdrawn.Mine, b.Established.Mine);
        Assert.Equal(b.TakeSharedSecret(), restarted.TakeSharedSecret());
    }

    [Fact]
    public void Withdraw_ThenHellosOfTheWithdrawnSessionArriveLate_AnsweredWithTheShareUntilANewSessionThenIgnored()
    {
        using var aggregator = new Handshake();
        using var site = new Handshake();

        // The site dials; the aggregator answers, the site establishes and confirms; the aggregator must withdraw that
        // session (its tag fell on another worker's lane) and answers with its pending share.
        var first = site.HelloToSend;
        Assert.Equal(HelloOutcome.Respond, Deliver(aggregator, first, out var answer));
        Assert.Equal(HelloOutcome.Established, Deliver(site, answer, out var confirm));
        Assert.Equal(HelloOutcome.Established, Deliver(aggregator, confirm, out _));
        aggregator.Withdraw();
        var withdrawnHello = site.HelloToSend;

        // The withdrawn session's hello (the site has not heard of the withdrawal yet) gets the share the next
        // handshake uses.
        Assert.Equal(HelloOutcome.Respond, Deliver(aggregator, withdrawnHello, out var share));
        Assert.Equal(aggregator.PendingHello.Random, share.Random);
        Assert.Equal(HelloOutcome.Respond, Deliver(site, share, out var again));
        Assert.Equal(HelloOutcome.Established, Deliver(aggregator, again, out var last));
        Assert.Equal(HelloOutcome.Established, Deliver(site, last, out _));
        var session = aggregator.Established;

        // Then the withdrawn session's hello and the site's first hello, delayed on other paths, arrive: old news. An
        // answer with a fresh share would start a third handshake and replace the working session.
        Assert.Equal(HelloOutcome.None, Deliver(aggregator, withdrawnHello, out _));
        Assert.Equal(HelloOutcome.None, Deliver(aggregator, first, out _));
        Assert.Same(session, aggregator.Established);
    }

    [Fact]
    public void WithdrawnTwiceInARow_TheThirdHandshakeEstablishesAtBothEnds()
    {
        using var aggregator = new Handshake();
        using var site = new Handshake();
        Deliver(aggregator, site.HelloToSend, out var answer);
        Deliver(site, answer, out var confirm);
        Assert.Equal(HelloOutcome.Established, Deliver(aggregator, confirm, out _));
        aggregator.Withdraw();

        // The second round: the site answers the fresh share, the aggregator establishes and must withdraw again.
        Assert.Equal(HelloOutcome.Respond, Deliver(site, aggregator.PendingHello, out var second));
        Assert.Equal(HelloOutcome.Established, Deliver(aggregator, second, out _));
        aggregator.Withdraw();

        // The third: the aggregator's fresh share echoes the site's pending random, so the site establishes, and the
        // aggregator must establish on its confirmation, although that comes from a withdrawn session's random.
        Assert.Equal(HelloOutcome.Established, Deliver(site, aggregator.PendingHello, out var third));
        Assert.Equal(HelloOutcome.Established, Deliver(aggregator, third, out _));
        Assert.Equal(site.Established!.Mine, aggregator.Established!.Peer);
        Assert.Equal(site.TakeSharedSecret(), aggregator.TakeSharedSecret());
    }

    [Fact]
    public void OnPeerSilent_ConfirmedSession_HellosResumeAndAPeerStillHoldingItIgnoresThem()
    {
        var (a, b) = Confirmed();
        using var _a = a;
        using var _b = b;
        Assert.False(a.NeedsHello);

        a.OnPeerSilent();

        Assert.True(a.NeedsHello);
        Assert.Equal(1, a.Unconfirmed);
        Assert.Equal(HelloOutcome.None, Deliver(b, a.HelloToSend, out _));
    }
}

using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

public sealed class HandshakeTests
{
    /// <summary>Delivers one side's current hello to the other, and the answer back, until nothing changes.</summary>
    private static void Exchange(Handshake from, Handshake to)
    {
        var (random, echo) = from.HelloToSend;
        var outcome = to.OnHello(random, echo ?? new byte[32], out var reply);
        if (outcome != HelloOutcome.None)
        {
            from.OnHello(reply.Random, reply.Echo ?? new byte[32], out _);
        }
    }

    [Fact]
    public void OneSideStarts_BothEstablishSameRandoms()
    {
        var a = new Handshake();
        var b = new Handshake();

        var (random, echo) = a.HelloToSend;
        Assert.Equal(HelloOutcome.Respond, b.OnHello(random, echo ?? new byte[32], out var reply));
        Assert.Equal(HelloOutcome.Established, a.OnHello(reply.Random, reply.Echo!, out var confirm));
        Assert.Equal(HelloOutcome.Established, b.OnHello(confirm.Random, confirm.Echo!, out _));

        Assert.Equal(a.Established!.Value.Mine, b.Established!.Value.Peer);
        Assert.Equal(a.Established!.Value.Peer, b.Established!.Value.Mine);
    }

    [Fact]
    public void BothStartAtOnce_Converge()
    {
        var a = new Handshake();
        var b = new Handshake();
        var helloA = a.HelloToSend;
        var helloB = b.HelloToSend;

        // Hellos cross on the wire; each answers the other's.
        a.OnHello(helloB.Random, new byte[32], out var replyA);
        b.OnHello(helloA.Random, new byte[32], out var replyB);
        a.OnHello(replyB.Random, replyB.Echo!, out var confirmA);
        b.OnHello(replyA.Random, replyA.Echo!, out var confirmB);
        b.OnHello(confirmA.Random, confirmA.Echo!, out _);
        a.OnHello(confirmB.Random, confirmB.Echo!, out _);

        Assert.NotNull(a.Established);
        Assert.Equal(a.Established!.Value.Mine, b.Established!.Value.Peer);
        Assert.Equal(a.Established!.Value.Peer, b.Established!.Value.Mine);
    }

    [Fact]
    public void ReplayedOldHello_DoesNotEstablishAgain()
    {
        var a = new Handshake();
        var b = new Handshake();
        var (random, echo) = a.HelloToSend;
        b.OnHello(random, echo ?? new byte[32], out var reply);
        a.OnHello(reply.Random, reply.Echo!, out var confirm);
        b.OnHello(confirm.Random, confirm.Echo!, out _);
        var session = b.Established;

        // An attacker replays every hello A ever sent.
        Assert.NotEqual(HelloOutcome.Established, b.OnHello(random, echo ?? new byte[32], out _));
        Assert.Equal(HelloOutcome.None, b.OnHello(confirm.Random, confirm.Echo!, out _));

        Assert.Equal(session, b.Established);
    }

    [Fact]
    public void DelayedFirstHello_AfterEstablishing_RepeatsSessionInsteadOfStartingAnother()
    {
        var a = new Handshake();
        var b = new Handshake();
        var (random, echo) = a.HelloToSend;
        var first = (random, echo ?? new byte[32]);

        b.OnHello(first.random, first.Item2, out var reply);
        a.OnHello(reply.Random, reply.Echo!, out var confirm);
        b.OnHello(confirm.Random, confirm.Echo!, out _);
        var session = b.Established;

        // A's first hello, sent on a second path, arrives late.
        var outcome = b.OnHello(first.random, first.Item2, out var repeat);
        Assert.Equal(HelloOutcome.Respond, outcome);
        Assert.Equal(session!.Value.Mine, repeat.Random);
        Assert.Equal(HelloOutcome.None, a.OnHello(repeat.Random, repeat.Echo!, out _));

        Assert.Equal(session, b.Established);
    }

    [Fact]
    public void PeerRestarts_NewSessionWithFreshRandoms()
    {
        var a = new Handshake();
        var b = new Handshake();
        Exchange(a, b);
        Exchange(a, b);
        a.OnSessionTraffic();
        b.OnSessionTraffic();
        var old = b.Established!.Value;

        var restarted = new Handshake();
        Exchange(restarted, b);
        Exchange(restarted, b);

        Assert.NotNull(restarted.Established);
        Assert.Equal(restarted.Established!.Value.Mine, b.Established!.Value.Peer);
        Assert.NotEqual(old.Mine, b.Established!.Value.Mine); // b never reuses a random for a second session
        Assert.False(b.PeerConfirmed);
    }

    [Fact]
    public void NeedsHello_UntilPeerConfirmed()
    {
        var a = new Handshake();
        var b = new Handshake();
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
        var a = new Handshake();
        var b = new Handshake();
        Exchange(a, b);
        Exchange(a, b);
        a.OnSessionTraffic();
        b.OnSessionTraffic();
        var session = b.Established;

        // An attacker sends B its own hellos — the one it would send now, and the one of its session — and then every
        // answer B gives, back to B.
        foreach (var recorded in new[] { b.HelloToSend, (session!.Value.Mine, (byte[]?)session.Value.Peer) })
        {
            var hello = recorded;
            for (var round = 0; round < 4; round++)
            {
                var outcome = b.OnHello(hello.Item1, hello.Item2 ?? new byte[32], out var reply);
                Assert.NotEqual(HelloOutcome.Established, outcome);
                if (outcome == HelloOutcome.None)
                {
                    break;
                }

                hello = reply;
            }
        }

        Assert.Equal(session, b.Established);
        Assert.True(b.PeerConfirmed);
    }
}

using System.Security.Cryptography;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

/// <summary>
/// The responder whose receive tag must land on a lane (an aggregator with several workers): it answers each peer
/// random with a random it drew so that the session's tag fits, so one round establishes (docs/striper-protocol.md,
/// "Aggregator").
/// </summary>
public sealed class HandshakeLaneTests
{
    private readonly byte[] _prk = KeySchedule.ExtractPrk(RandomNumberGenerator.GetBytes(32));

    private static HelloOutcome Deliver(Handshake to, HelloContent hello, out HelloContent reply) =>
        to.OnHello(hello.Random, hello.PublicKey, hello.Echo ?? new byte[32], out reply);

    private Handshake Responder(int lanes, int lane) => new(new ResponderRandoms(_prk, tag => tag % (uint)lanes == lane));

    /// <summary>The receive tag the side's established session gives it (takes its shared secret).</summary>
    private uint RxTag(Handshake side)
    {
        var secret = KeySchedule.SessionSecret(_prk, side.TakeSharedSecret(), side.Established!);
        return KeySchedule.Tag(secret, side.Established!.Mine);
    }

    /// <summary>The responder's receive tag is the one the initiator sends with: both derived the same session secret.</summary>
    private void AssertSameKeys(Handshake initiator, Handshake responder)
    {
        var initiatorSecret = KeySchedule.SessionSecret(_prk, initiator.TakeSharedSecret(), initiator.Established!);
        Assert.Equal(KeySchedule.Tag(initiatorSecret, initiator.Established!.Peer), RxTag(responder));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Responder_ManySites_EachEstablishesInOneRoundWithTagOnItsLane(int lanes)
    {
        for (var site = 1; site <= 32; site++)
        {
            using var initiator = new Handshake();
            using var responder = Responder(lanes, site % lanes);

            Assert.Equal(HelloOutcome.Respond, Deliver(responder, initiator.HelloToSend, out var answer));
            Assert.Equal(HelloOutcome.Established, Deliver(initiator, answer, out var confirm));
            Assert.Equal(HelloOutcome.Established, Deliver(responder, confirm, out _));

            var initiatorSecret = KeySchedule.SessionSecret(_prk, initiator.TakeSharedSecret(), initiator.Established!);
            var tag = RxTag(responder);
            Assert.Equal((uint)(site % lanes), tag % (uint)lanes);
            Assert.Equal(tag, KeySchedule.Tag(initiatorSecret, initiator.Established!.Peer));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Responder_DrawThenEstablish_AgreesOnceAndBothSidesHoldTheSameKeys(int lanes)
    {
        using var initiator = new Handshake();
        using var responder = Responder(lanes, lanes - 1);
        var hello = initiator.HelloToSend;

        Deliver(responder, hello, out var answer);
        Deliver(responder, hello, out _);
        Deliver(initiator, answer, out var confirm);
        Assert.Equal(HelloOutcome.Established, Deliver(responder, confirm, out _));

        Assert.Equal(1, responder.Agreements);
        Assert.Equal(1, initiator.Agreements);
        AssertSameKeys(initiator, responder);
    }

    [Fact]
    public void Responder_HelloOfAnotherPeerBetweenDrawAndEcho_AgreesAgainAndEstablishes()
    {
        using var initiator = new Handshake();
        using var other = new Handshake();
        using var responder = Responder(2, 1);

        Deliver(responder, initiator.HelloToSend, out var answer);
        // The other hello's draw replaces the one kept (one at a time): the session agrees its secret afresh.
        Deliver(responder, other.HelloToSend, out _);
        Deliver(initiator, answer, out var confirm);
        Assert.Equal(HelloOutcome.Established, Deliver(responder, confirm, out _));

        Assert.Equal(3, responder.Agreements);
        AssertSameKeys(initiator, responder);
    }

    [Fact]
    public void Responder_EchoWithAnotherPublicKeyThanTheDraw_DoesNotUseTheDrawnSecret()
    {
        using var initiator = new Handshake();
        using var impostor = new Handshake();
        using var responder = Responder(2, 0);
        var hello = initiator.HelloToSend;
        Deliver(responder, hello, out var answer);

        // The initiator's random and the echo, with another key: the secret kept was agreed with the first key only.
        Assert.Equal(HelloOutcome.Established,
            responder.OnHello(hello.Random, impostor.HelloToSend.PublicKey, answer.Random, out _));

        Assert.Equal(2, responder.Agreements);
        Assert.Equal(impostor.HelloToSend.PublicKey, responder.Established!.PeerPublicKey);
    }

    [Fact]
    public void Responder_SameHelloOnEveryPath_AnsweredWithTheSameRandom()
    {
        using var initiator = new Handshake();
        using var responder = Responder(2, 1);
        var hello = initiator.HelloToSend;

        Deliver(responder, hello, out var first);
        Deliver(responder, hello, out var second);

        Assert.Equal(first.Random, second.Random);
        Assert.Equal(first.Random, responder.HelloToSend.Random);
    }

    [Fact]
    public void Responder_ReplayedHelloOfAnotherPeerDuringHandshake_HandshakeStillCompletesInOneRound()
    {
        using var old = new Handshake();
        var recorded = old.HelloToSend;
        using var initiator = new Handshake();
        using var responder = Responder(2, 0);

        Deliver(responder, initiator.HelloToSend, out var answer);
        // A hello recorded earlier (another process of the site) arrives between the answer and its echo.
        Assert.Equal(HelloOutcome.Respond, Deliver(responder, recorded, out var answerToReplay));
        Assert.NotEqual(answer.Random, answerToReplay.Random);
        Assert.Equal(HelloOutcome.Established, Deliver(initiator, answer, out var confirm));
        Assert.Equal(HelloOutcome.Established, Deliver(responder, confirm, out _));

        Assert.Equal(initiator.Established!.Mine, responder.Established!.Peer);
        Assert.Equal(0u, RxTag(responder) % 2);
        // And the replay, again, after the session: answered at most, never established.
        Assert.NotEqual(HelloOutcome.Established, Deliver(responder, recorded, out _));
    }

    [Fact]
    public void Responder_EchoOfRandomDrawnForAnotherPeer_DoesNotEstablish()
    {
        using var first = new Handshake();
        using var second = new Handshake();
        using var responder = Responder(2, 1);
        Deliver(responder, first.HelloToSend, out var answerToFirst);

        // A hello of another peer random that echoes the random drawn for the first: its tag was never checked.
        var hello = second.HelloToSend with { Echo = answerToFirst.Random };
        Assert.Equal(HelloOutcome.Respond, Deliver(responder, hello, out _));
        Assert.Null(responder.Established);
    }

    [Fact]
    public void Responder_ReflectedAnswer_Refused()
    {
        using var initiator = new Handshake();
        using var responder = Responder(2, 0);
        Deliver(responder, initiator.HelloToSend, out var answer);

        Assert.Equal(HelloOutcome.Reflected, Deliver(responder, answer with { Echo = answer.Random }, out _));
        Assert.Null(responder.Established);
    }

    [Fact]
    public void Responder_NotAnswering_DrawsNothingAndEstablishesNothing()
    {
        using var initiator = new Handshake();
        using var responder = Responder(2, 0);
        var hello = initiator.HelloToSend;

        Assert.Equal(HelloOutcome.Respond, responder.OnHello(hello.Random, hello.PublicKey, new byte[32], out var reply, answering: false));
        Assert.Null(reply.Random);
        Assert.Null(responder.Established);
    }
}

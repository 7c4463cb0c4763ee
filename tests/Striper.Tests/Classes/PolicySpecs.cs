using Fleet.Contracts.Links;

namespace Fleet.Striper.Tests.Classes;

/// <summary>Link specs for policy tests: members a0..aN-1 with peers.</summary>
internal static class PolicySpecs
{
    public const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public static LinkSpec Link(int members, Func<int, MemberSpec, MemberSpec>? adjust = null) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = Enumerable.Range(0, members)
            .Select(i => adjust?.Invoke(i, new MemberSpec { Interface = $"a{i}", Peer = $"10.{100 + i}.2.1:7000" }) ?? new MemberSpec { Interface = $"a{i}", Peer = $"10.{100 + i}.2.1:7000" })
            .ToArray(),
        Striper = new StriperOptions { Key = Key },
    };
}

using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;

namespace Fleet.Api.Links;

/// <summary>
/// Keeps a link's member rows equal to its desired spec: members are matched by interface name, so a member that
/// stays keeps its row (and its observed health); new ones start Unknown; removed ones go.
/// </summary>
public static class MemberSync
{
    public static void Apply(LinkEntity link, LinkSpec spec, ICollection<MemberEntity> removed)
    {
        var wanted = spec.Members.Select((m, i) => (Spec: m, Position: i)).ToDictionary(m => m.Spec.Interface, StringComparer.Ordinal);
        foreach (var member in link.Members.ToList())
        {
            if (!wanted.ContainsKey(member.Interface))
            {
                link.Members.Remove(member);
                removed.Add(member);
            }
        }

        foreach (var (name, (memberSpec, position)) in wanted)
        {
            var member = link.Members.FirstOrDefault(m => m.Interface == name);
            if (member is null)
            {
                member = new MemberEntity { Id = Guid.CreateVersion7(), LinkId = link.Id, Interface = name, Health = MemberHealth.Unknown };
                link.Members.Add(member);
            }

            member.Position = position;
            member.AdminState = memberSpec.AdminState;
            member.RateHintBitsPerSecond = memberSpec.RateBitsPerSecond;
            member.LagHintMs = memberSpec.LagMilliseconds;
            member.Weight = memberSpec.Weight;
        }
    }
}

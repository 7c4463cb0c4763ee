using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Bench.Overview;

/// <summary>
/// Writes a simulated fleet straight into the Api's database: hosts with labels and inventory, two links of mixed
/// kinds per host with four members each (8 members per host, as in docs/conventions.md's design targets), one revision per link,
/// events, and 1 Hz samples for the last <c>history</c> before <c>now</c>. Each member also gets one sample stamped
/// <see cref="FreshFor"/> ahead, so its latest sample stays fresh however long seeding and measuring take (the
/// dashboard treats samples older than 15 s as stale and would render unknown rates).
/// </summary>
public static class FleetSeed
{
    private static readonly string[] s_sites = ["lyon", "paris", "berlin", "madrid", "oslo", "rome", "vienna", "dublin"];
    private static readonly string s_key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>How long the seeded members' latest samples stay fresh.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Seeds <paramref name="hostCount"/> hosts with <paramref name="history"/> of 1 Hz samples before <paramref name="now"/>,
    /// and <paramref name="rollupMinutes"/> whole minutes of 1-minute rollups per member before it (the overview's trends).
    /// </summary>
    public static async Task SeedAsync(FleetDbContext db, int hostCount, DateTimeOffset now, TimeSpan history, CancellationToken cancellationToken, int rollupMinutes = 0)
    {
        var minutes = new List<SampleMinuteEntity>();
        var thisMinute = new DateTime(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var random = new Random(42);
        var utcNow = now.UtcDateTime;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var samples = new List<SampleEntity>();
        for (var h = 0; h < hostCount; h++)
        {
            var hostId = Guid.CreateVersion7();
            var name = $"edge-{h:0000}";
            db.Hosts.Add(new HostEntity
            {
                Id = hostId,
                Name = name,
                Hostname = name,
                AgentVersion = "0.1.0",
                KernelVersion = "6.1.0-28-amd64",
                Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
                Interfaces = Enumerable.Range(1, 4).Select(i => new InterfaceInventory { Name = $"eth{i}", Kind = "ether", MacAddress = $"02:00:00:00:{h % 256:x2}:{i:x2}", Mtu = 1500, Up = true, Addresses = [$"10.{h % 250}.{i}.2/24"] }).ToList(),
                EnrolledAt = utcNow.AddDays(-30),
                LastSeenAt = h % 50 == 49 ? utcNow.AddMinutes(-20) : utcNow,
                Labels =
                [
                    new HostLabelEntity { HostId = hostId, Key = "site", Value = s_sites[h % s_sites.Length] },
                    new HostLabelEntity { HostId = hostId, Key = "tier", Value = h % 10 == 0 ? "core" : "edge" },
                ],
            });

            for (var l = 0; l < 2; l++)
            {
                var kind = (LinkKind)((h * 2 + l) % 4);
                var spec = Spec(kind, l);
                var linkId = Guid.CreateVersion7();
                var link = new LinkEntity
                {
                    Id = linkId,
                    HostId = hostId,
                    Name = spec.Name,
                    Kind = kind,
                    Spec = spec,
                    DesiredGeneration = 3,
                    ObservedGeneration = h % 17 == 3 ? 2 : 3,
                    Phase = h % 17 == 3 ? LinkPhase.Applying : LinkPhase.Applied,
                    PhaseChangedAt = utcNow.AddMinutes(-h % 60),
                    CreatedAt = utcNow.AddDays(-30),
                    UpdatedAt = utcNow.AddDays(-1),
                };
                db.Links.Add(link);
                db.PolicyRevisions.Add(new PolicyRevisionEntity
                {
                    Id = Guid.CreateVersion7(),
                    LinkId = linkId,
                    Generation = 3,
                    Spec = spec,
                    Author = "user:admin",
                    CreatedAt = utcNow.AddDays(-1),
                    Outcome = PolicyOutcome.Applied,
                });

                for (var m = 0; m < spec.Members.Count; m++)
                {
                    var down = (h + m) % 41 == 0;
                    var degraded = !down && (h + m) % 13 == 0;
                    var health = down ? MemberHealth.Down : degraded ? MemberHealth.Degraded : MemberHealth.Up;
                    var member = spec.Members[m].Interface;
                    db.Members.Add(new MemberEntity
                    {
                        Id = Guid.CreateVersion7(),
                        LinkId = linkId,
                        Interface = member,
                        Position = m,
                        AdminState = spec.Members[m].AdminState,
                        Weight = spec.Members[m].Weight,
                        Health = health,
                        HealthChangedAt = utcNow.AddMinutes(-5),
                    });

                    var rate = 5_000_000 + random.Next(0, 95_000_000);
                    for (var minute = 1; minute <= rollupMinutes; minute++)
                    {
                        minutes.Add(new SampleMinuteEntity
                        {
                            LinkId = linkId,
                            Member = member,
                            BucketStart = thisMinute.AddMinutes(-minute),
                            SampleCount = 60,
                            IntervalMsSum = 60_000,
                            TxBytes = down ? 0 : (long)(rate / 8 * 60 * (0.7 + random.NextDouble() * 0.6)),
                            RxBytes = down ? 0 : rate / 40 * 60,
                            HealthWorst = health,
                        });
                    }

                    foreach (var t in Enumerable.Range(0, (int)history.TotalSeconds).Select(i => (double)-i).Append(FreshFor.TotalSeconds))
                    {
                        samples.Add(new SampleEntity
                        {
                            LinkId = linkId,
                            Member = member,
                            Time = utcNow.AddSeconds(t),
                            IntervalMs = 1000,
                            TxBytes = down ? 0 : (long)(rate / 8 * (0.8 + random.NextDouble() * 0.4)),
                            RxBytes = down ? 0 : rate / 40,
                            TxPackets = rate / 12_000,
                            RxPackets = rate / 60_000,
                            TxDrops = degraded ? random.Next(0, 20) : 0,
                            ReorderDepth = kind == LinkKind.Striper ? random.Next(0, 12) : 0,
                            ReorderDepthMax = kind == LinkKind.Striper ? random.Next(0, 24) : 0,
                            RttMs = 8 + random.NextDouble() * 40,
                            LossPercent = degraded ? 2 + random.NextDouble() * 3 : random.NextDouble() * 0.2,
                            Health = health,
                        });
                    }
                }

                for (var e = 0; e < 3; e++)
                {
                    db.Events.Add(new EventEntity
                    {
                        Id = Guid.CreateVersion7(),
                        Time = utcNow.AddMinutes(-(e * 20 + h % 20)),
                        HostId = hostId,
                        LinkId = linkId,
                        Member = spec.Members[e % spec.Members.Count].Interface,
                        Kind = e == 0 ? AgentEventKind.MemberDegraded : e == 1 ? AgentEventKind.MemberUp : AgentEventKind.Applied,
                        Severity = e == 0 ? EventSeverity.Warning : EventSeverity.Info,
                        Message = e == 0 ? "loss above 1 %" : e == 1 ? "member is back up" : "generation 3 applied",
                    });
                }
            }

            if (h % 100 == 99)
            {
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        foreach (var chunk in samples.Chunk(20_000))
        {
            db.Samples.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        foreach (var chunk in minutes.Chunk(20_000))
        {
            db.SampleMinutes.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>A valid spec of <paramref name="kind"/> with four members.</summary>
    public static LinkSpec Spec(LinkKind kind, int index)
    {
        string[] names = ["eth1", "eth2", "wwan0", "wwan1"];
        return kind switch
        {
            LinkKind.Bond => new LinkSpec
            {
                Kind = kind,
                Name = $"bond{index}",
                Members = names.Select((n, i) => new MemberSpec { Interface = n, AdminState = i == 3 ? MemberAdminState.Backup : MemberAdminState.Active }).ToList(),
                Addresses = [$"10.200.{index}.1/30"],
                Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, Primary = "eth1" },
            },
            LinkKind.Teql => new LinkSpec
            {
                Kind = kind,
                Name = $"teql{index}",
                Members = names.Select((n, i) => new MemberSpec { Interface = n, ProbeTarget = $"192.0.2.{i + 1}" }).ToList(),
                Addresses = [$"10.201.{index}.1/30"],
            },
            LinkKind.Mptcp => new LinkSpec
            {
                Kind = kind,
                Name = $"mp{index}",
                Members = names.Select((n, i) => new MemberSpec { Interface = n, Address = $"198.51.100.{i + 10}", MptcpFlags = [MptcpEndpointFlag.Subflow] }).ToList(),
                Mptcp = new MptcpOptions { SubflowsLimit = 4, AddAddrAcceptedLimit = 4 },
            },
            _ => new LinkSpec
            {
                Kind = LinkKind.Striper,
                Name = $"str{index}",
                Members = names.Select((n, i) => new MemberSpec { Interface = n, Weight = 4 - i, LocalPort = 7000 + i, Peer = $"203.0.113.7:{7000 + i}" }).ToList(),
                Addresses = [$"10.202.{index}.1/30"],
                Striper = new StriperOptions { Key = s_key },
            },
        };
    }
}

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>
/// <c>/proc/net/bonding/BOND</c> texts written by hand in the bonding driver's format (drivers/net/bonding/bond_procfs.c,
/// kernel 6.1) for faults the build machine cannot make: its kernel has no bonding, and the qemu guest's veth members
/// have no speed and no LACP switch. <see cref="CapturedBonding"/> holds the ones captured from a real kernel.
/// </summary>
internal static class WrittenBonding
{
    /// <summary>
    /// 802.3ad on two 1 Gbit/s ports, the switch's port for up2 not in the port-channel: up2 received no LACPDU
    /// (partner 00:00:00:00:00:00, its actor state defaulted and not in sync) and sits alone in aggregator 2.
    /// </summary>
    public const string ProcLacpPartnerMissingOnUp2 = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: IEEE 802.3ad Dynamic link aggregation
        Transmit Hash Policy: layer3+4 (1)
        MII Status: up
        MII Polling Interval (ms): 100
        Up Delay (ms): 0
        Down Delay (ms): 0
        Peer Notification Delay (ms): 0

        802.3ad info
        LACP active: on
        LACP rate: fast
        Min links: 0
        Aggregator selection policy (ad_select): stable
        System priority: 65535
        System MAC address: 52:54:00:6a:10:01
        Active Aggregator Info:
        	Aggregator ID: 1
        	Number of ports: 1
        	Actor Key: 9
        	Partner Key: 1001
        	Partner Mac Address: 00:1b:21:3c:9d:40

        Slave Interface: up1
        MII Status: up
        Speed: 1000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 52:54:00:6a:10:01
        Slave queue ID: 0
        Aggregator ID: 1
        Actor Churn State: none
        Partner Churn State: none
        Actor Churned Count: 0
        Partner Churned Count: 0
        details actor lacp pdu:
            system priority: 65535
            system mac address: 52:54:00:6a:10:01
            port key: 9
            port priority: 255
            port number: 1
            port state: 63
        details partner lacp pdu:
            system priority: 32768
            system mac address: 00:1b:21:3c:9d:40
            oper key: 1001
            port priority: 32768
            port number: 17
            port state: 61

        Slave Interface: up2
        MII Status: up
        Speed: 1000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 52:54:00:6a:10:02
        Slave queue ID: 0
        Aggregator ID: 2
        Actor Churn State: churned
        Partner Churn State: churned
        Actor Churned Count: 1
        Partner Churned Count: 1
        details actor lacp pdu:
            system priority: 65535
            system mac address: 52:54:00:6a:10:01
            port key: 9
            port priority: 255
            port number: 2
            port state: 71
        details partner lacp pdu:
            system priority: 65535
            system mac address: 00:00:00:00:00:00
            oper key: 1
            port priority: 255
            port number: 1
            port state: 1
        """;

    /// <summary>balance-rr over a 1 Gbit/s and a 100 Mbit/s member (a port that negotiated down), MII monitoring on.</summary>
    public const string ProcRoundRobinGigabitAndFastEthernet = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: load balancing (round-robin)
        MII Status: up
        MII Polling Interval (ms): 100
        Up Delay (ms): 0
        Down Delay (ms): 0
        Peer Notification Delay (ms): 0

        Slave Interface: up1
        MII Status: up
        Speed: 1000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 52:54:00:6a:20:01
        Slave queue ID: 0

        Slave Interface: up2
        MII Status: up
        Speed: 100 Mbps
        Duplex: full
        Link Failure Count: 2
        Permanent HW addr: 52:54:00:6a:20:02
        Slave queue ID: 0
        """;

    /// <summary>An active-backup bond made by hand before Fleet adopted it: no MII and no ARP monitoring.</summary>
    public const string ProcActiveBackupNoMonitor = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: fault-tolerance (active-backup)
        Primary Slave: None
        Currently Active Slave: up1
        MII Status: up
        MII Polling Interval (ms): 0
        Up Delay (ms): 0
        Down Delay (ms): 0
        Peer Notification Delay (ms): 0

        Slave Interface: up1
        MII Status: up
        Speed: 1000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 52:54:00:6a:30:01
        Slave queue ID: 0

        Slave Interface: up2
        MII Status: up
        Speed: 1000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 52:54:00:6a:30:02
        Slave queue ID: 0
        """;
}

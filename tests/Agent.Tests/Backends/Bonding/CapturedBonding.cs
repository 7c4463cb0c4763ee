namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>Text captured from the Debian 6.1 kernel under qemu (tests/KernelVm) while bonds ran over veths.</summary>
internal static class CapturedBonding
{
    /// <summary>/proc/net/bonding/BOND (proc-bonding-active-backup.txt).</summary>
    public const string ProcActiveBackup = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: fault-tolerance (active-backup)
        Primary Slave: a1 (primary_reselect always)
        Currently Active Slave: a1
        MII Status: up
        MII Polling Interval (ms): 100
        Up Delay (ms): 200
        Down Delay (ms): 200
        Peer Notification Delay (ms): 0

        Slave Interface: a1
        MII Status: up
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 02:18:85:1c:e3:83
        Slave queue ID: 0

        Slave Interface: a2
        MII Status: up
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 4a:6d:43:30:26:57
        Slave queue ID: 0
        """;

    /// <summary>/proc/net/bonding/BOND (proc-bonding-active-backup-a1-peer-down.txt).</summary>
    public const string ProcActiveBackupPeerDown = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: fault-tolerance (active-backup)
        Primary Slave: a1 (primary_reselect always)
        Currently Active Slave: a2
        MII Status: up
        MII Polling Interval (ms): 100
        Up Delay (ms): 200
        Down Delay (ms): 200
        Peer Notification Delay (ms): 0

        Slave Interface: a1
        MII Status: down
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 1
        Permanent HW addr: 02:18:85:1c:e3:83
        Slave queue ID: 0

        Slave Interface: a2
        MII Status: up
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 4a:6d:43:30:26:57
        Slave queue ID: 0
        """;

    /// <summary>/proc/net/bonding/BOND (proc-bonding-8023ad.txt).</summary>
    public const string ProcLacp = """
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
        System MAC address: 02:18:85:1c:e3:83
        Active Aggregator Info:
        	Aggregator ID: 1
        	Number of ports: 2
        	Actor Key: 15
        	Partner Key: 15
        	Partner Mac Address: 76:9d:b2:f9:6e:75

        Slave Interface: a1
        MII Status: up
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 02:18:85:1c:e3:83
        Slave queue ID: 0
        Aggregator ID: 1
        Actor Churn State: monitoring
        Partner Churn State: monitoring
        Actor Churned Count: 0
        Partner Churned Count: 0
        details actor lacp pdu:
            system priority: 65535
            system mac address: 02:18:85:1c:e3:83
            port key: 15
            port priority: 255
            port number: 1
            port state: 63
        details partner lacp pdu:
            system priority: 65535
            system mac address: 76:9d:b2:f9:6e:75
            oper key: 15
            port priority: 255
            port number: 1
            port state: 63

        Slave Interface: a2
        MII Status: up
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 4a:6d:43:30:26:57
        Slave queue ID: 0
        Aggregator ID: 1
        Actor Churn State: monitoring
        Partner Churn State: monitoring
        Actor Churned Count: 0
        Partner Churned Count: 0
        details actor lacp pdu:
            system priority: 65535
            system mac address: 02:18:85:1c:e3:83
            port key: 15
            port priority: 255
            port number: 2
            port state: 63
        details partner lacp pdu:
            system priority: 65535
            system mac address: 76:9d:b2:f9:6e:75
            oper key: 15
            port priority: 255
            port number: 2
            port state: 63
        """;

    /// <summary>/proc/net/bonding/BOND (proc-bonding-balance-rr-arp.txt).</summary>
    public const string ProcRoundRobinArp = """
        Ethernet Channel Bonding Driver: v6.1.0-56-amd64

        Bonding Mode: load balancing (round-robin)
        MII Status: down
        MII Polling Interval (ms): 0
        Up Delay (ms): 0
        Down Delay (ms): 0
        Peer Notification Delay (ms): 0
        ARP Polling Interval (ms): 200
        ARP Missed Max: 2
        ARP IP target/s (n.n.n.n form): 10.7.1.2, 10.7.1.3
        NS IPv6 target/s (xx::xx form):

        Slave Interface: a1
        MII Status: down
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 02:18:85:1c:e3:83
        Slave queue ID: 0

        Slave Interface: a2
        MII Status: down
        Speed: 10000 Mbps
        Duplex: full
        Link Failure Count: 0
        Permanent HW addr: 4a:6d:43:30:26:57
        Slave queue ID: 0
        """;

    /// <summary>ip -d -s -j link show in the 802.3ad namespace (two members, LACP converged).</summary>
    public const string IpLinks8023ad = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","promiscuity":0,"allmulti":0,"min_mtu":0,"max_mtu":0,"inet6_addr_gen_mode":"eui64","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":2,"link_index":2,"ifname":"a1","flags":["BROADCAST","MULTICAST","SLAVE","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","master":"bond2","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"veth","info_slave_kind":"bond","info_slave_data":{"state":"ACTIVE","mii_status":"UP","link_failure_count":0,"perm_hwaddr":"02:18:85:1c:e3:83","queue_id":0,"prio":0,"ad_aggregator_id":1,"ad_actor_oper_port_state":63,"ad_actor_oper_port_state_str":["active","short_timeout","aggregating","in_sync","collecting","distributing"],"ad_partner_oper_port_state":63,"ad_partner_oper_port_state_str":["active","short_timeout","aggregating","in_sync","collecting","distributing"]}},"inet6_addr_gen_mode":"eui64","num_tx_queues":2,"num_rx_queues":2,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":2318,"packets":24,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":2104,"packets":22,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":3,"link_index":3,"ifname":"a2","flags":["BROADCAST","MULTICAST","SLAVE","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","master":"bond2","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"veth","info_slave_kind":"bond","info_slave_data":{"state":"ACTIVE","mii_status":"UP","link_failure_count":0,"perm_hwaddr":"4a:6d:43:30:26:57","queue_id":0,"prio":0,"ad_aggregator_id":1,"ad_actor_oper_port_state":63,"ad_actor_oper_port_state_str":["active","short_timeout","aggregating","in_sync","collecting","distributing"],"ad_partner_oper_port_state":63,"ad_partner_oper_port_state_str":["active","short_timeout","aggregating","in_sync","collecting","distributing"]}},"inet6_addr_gen_mode":"eui64","num_tx_queues":2,"num_rx_queues":2,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":1156,"packets":11,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":962,"packets":9,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":6,"ifname":"bond2","flags":["BROADCAST","MULTICAST","MASTER","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"bond","info_data":{"mode":"802.3ad","miimon":100,"updelay":0,"downdelay":0,"peer_notify_delay":0,"use_carrier":1,"arp_interval":0,"arp_missed_max":2,"arp_validate":null,"arp_all_targets":"any","primary_reselect":"always","fail_over_mac":"none","xmit_hash_policy":"layer3+4","resend_igmp":1,"num_peer_notif":1,"all_slaves_active":0,"min_links":0,"lp_interval":1,"packets_per_slave":1,"ad_lacp_active":"on","ad_lacp_rate":"fast","ad_select":"stable","ad_info":{"aggregator":1,"num_ports":2,"actor_key":15,"partner_key":15,"partner_mac":"76:9d:b2:f9:6e:75"},"ad_actor_sys_prio":65535,"ad_user_port_key":0,"ad_actor_system":"00:00:00:00:00:00","tlb_dynamic_lb":1}},"inet6_addr_gen_mode":"eui64","num_tx_queues":16,"num_rx_queues":16,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":2252,"packets":20,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":2004,"packets":18,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
        """;

    /// <summary>ip -d -s -j link show in the active-backup namespace after a1's peer went down.</summary>
    public const string IpLinksActiveBackupA1Down = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","promiscuity":0,"allmulti":0,"min_mtu":0,"max_mtu":0,"inet6_addr_gen_mode":"eui64","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":2,"link_index":2,"ifname":"a1","flags":["NO-CARRIER","BROADCAST","MULTICAST","SLAVE","UP"],"mtu":1500,"qdisc":"noqueue","master":"bond0","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"veth","info_slave_kind":"bond","info_slave_data":{"state":"BACKUP","mii_status":"DOWN","link_failure_count":1,"perm_hwaddr":"02:18:85:1c:e3:83","queue_id":0,"prio":0}},"inet6_addr_gen_mode":"eui64","num_tx_queues":2,"num_rx_queues":2,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":934,"packets":11,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":844,"packets":10,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":3,"link_index":3,"ifname":"a2","flags":["BROADCAST","MULTICAST","SLAVE","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","master":"bond0","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"veth","info_slave_kind":"bond","info_slave_data":{"state":"ACTIVE","mii_status":"UP","link_failure_count":0,"perm_hwaddr":"4a:6d:43:30:26:57","queue_id":0,"prio":0}},"inet6_addr_gen_mode":"eui64","num_tx_queues":2,"num_rx_queues":2,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":218,"packets":3,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":218,"packets":3,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":4,"ifname":"bond0","flags":["BROADCAST","MULTICAST","MASTER","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"bond","info_data":{"mode":"active-backup","active_slave":"a2","miimon":100,"updelay":200,"downdelay":200,"peer_notify_delay":0,"use_carrier":1,"arp_interval":0,"arp_missed_max":2,"arp_validate":null,"arp_all_targets":"any","primary":"a1","primary_reselect":"always","fail_over_mac":"none","xmit_hash_policy":"layer2","resend_igmp":1,"num_peer_notif":1,"all_slaves_active":0,"min_links":0,"lp_interval":1,"packets_per_slave":1,"ad_lacp_active":"on","ad_lacp_rate":"slow","ad_select":"stable","tlb_dynamic_lb":1}},"inet6_addr_gen_mode":"eui64","num_tx_queues":16,"num_rx_queues":16,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":1152,"packets":14,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":1062,"packets":13,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
        """;

    /// <summary>ip -d -j link show dev bond1: balance-rr with ARP monitoring.</summary>
    public const string IpLinkRoundRobinArp = """
        [{"ifindex":5,"ifname":"bond1","flags":["NO-CARRIER","BROADCAST","MULTICAST","MASTER","UP"],"mtu":1500,"qdisc":"noqueue","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:18:85:1c:e3:83","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"bond","info_data":{"mode":"balance-rr","miimon":0,"updelay":0,"downdelay":0,"peer_notify_delay":0,"use_carrier":1,"arp_interval":200,"arp_missed_max":2,"arp_ip_target":["10.7.1.2","10.7.1.3"],"arp_validate":null,"arp_all_targets":"any","primary_reselect":"always","fail_over_mac":"none","xmit_hash_policy":"layer2","resend_igmp":1,"num_peer_notif":1,"all_slaves_active":0,"min_links":0,"lp_interval":1,"packets_per_slave":1,"ad_lacp_active":"on","ad_lacp_rate":"slow","ad_select":"stable","tlb_dynamic_lb":1}},"inet6_addr_gen_mode":"eui64","num_tx_queues":16,"num_rx_queues":16,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536}]
        """;
}

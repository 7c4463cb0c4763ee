namespace Fleet.Agent.Tests.Backends.Mptcp;

/// <summary>
/// Output captured on the build machine (kernel 6.18, iproute2 6.1) during an <c>mptcpize run iperf3</c> transfer
/// between two namespaces joined by two veth paths.
/// </summary>
internal static class CapturedMptcp
{
    /// <summary>ip -j mptcp endpoint show: a subflow endpoint and a subflow+backup endpoint.</summary>
    public const string EndpointsJson = """
        [{"address":"10.91.2.1","id":1,"subflow":true,"dev":"p2a6188"},{"address":"10.91.1.1","id":2,"subflow":true,"backup":true,"dev":"p1a6188"}]
        """;

    /// <summary>ip -j mptcp limits show: iproute2 6.1 prints text even with -j.</summary>
    public const string LimitsText = """
        add_addr_accepted 2 subflows 2 
        """;

    /// <summary>ss -HMtin right after "ip mptcp endpoint change id 1 backup" (iperf3 control and data connections).</summary>
    public const string SsAfterBackupChange = """
        tcp   ESTAB 0      0      10.91.2.1%p2a31688:41687 10.91.1.2:5299
        	 bbr wscale:10,10 rto:204 rtt:0.016/0.008 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:10 bytes_acked:1 segs_out:2 segs_in:2 bbr:(bw:0bps,mrtt:0.016,pacing_gain:1,cwnd_gain:1) send 7240000000bps lastsnd:2512 lastrcv:2512 lastack:2512 pacing_rate 20690845312bps delivered:1 app_limited rcv_space:14480 rcv_ssthresh:64088 minrtt:0.016 snd_wnd:64512 tcp-ulp-mptcp flags:Jjec token:ed91c341(id:0)/b871e86a(id:1) seq:7d77c696594b8395 sfseq:0 ssnoff:73f83444 maplen:0                                                                                                                                                                                                 
        tcp   ESTAB 0      606968 10.91.2.1%p2a31688:60281 10.91.1.2:5299
        	 bbr wscale:10,10 rto:256 rtt:54.331/1.839 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:57 ssthresh:138 bytes_sent:9060456 bytes_retrans:1810800 bytes_acked:3639889 segs_out:6424 segs_in:1427 data_segs_out:6422 bbr:(bw:10623416bps,mrtt:0.007,pacing_gain:1,cwnd_gain:2) send 12153062bps lastsnd:8 lastrcv:2504 pacing_rate 10517184bps delivery_rate 6649712bps delivered:2647 busy:2248ms sndbuf_limited:132ms(5.9%) unacked:69 retrans:12/1272 lost:12 sacked:35 rcv_space:14480 rcv_ssthresh:64088 notsent:509936 minrtt:0.007 snd_wnd:13658112 tcp-ulp-mptcp flags:Jjec token:71495a76(id:0)/9d765e5b(id:1) seq:17ccdb83b155e185 sfseq:0 ssnoff:c562047c maplen:0   
        tcp   ESTAB 0      358520          10.91.2.1:50127 10.91.2.2:5299
        	 bbr wscale:10,10 rto:256 rtt:53.209/1.459 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:152 ssthresh:138 bytes_sent:9698501 bytes_retrans:696336 bytes_acked:5177118 segs_out:6957 segs_in:1741 data_segs_out:6954 bbr:(bw:2316799856bps,mrtt:0.008,pacing_gain:1,cwnd_gain:2) send 33091545bps lastsnd:24 lastrcv:2504 pacing_rate 2293631856bps delivery_rate 31331656bps delivered:3884 busy:1740ms sndbuf_limited:28ms(1.6%) unacked:252 retrans:6/489 lost:6 sacked:151 rcv_space:14480 rcv_ssthresh:64088 notsent:1288 minrtt:0.008 snd_wnd:13658112 tcp-ulp-mptcp flags:Jjbec token:71495a76(id:1)/9d765e5b(id:1) seq:17ccdb83b155e185 sfseq:0 ssnoff:7031d461 maplen:0
        tcp   ESTAB 0      0               10.91.2.1:56397 10.91.2.2:5299
        	 bbr wscale:10,10 rto:204 rtt:0.031/0.017 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:11 bytes_sent:123 bytes_acked:124 bytes_received:2 segs_out:6 segs_in:5 data_segs_out:1 data_segs_in:2 bbr:(bw:1287111032bps,mrtt:0.009,pacing_gain:2.88672,cwnd_gain:2.88672) send 4110451613bps lastsnd:2512 lastrcv:2504 lastack:2504 pacing_rate 9458671576bps delivery_rate 1287111104bps delivered:2 app_limited rcv_space:14480 rcv_ssthresh:64088 minrtt:0.009 snd_wnd:64512 tcp-ulp-mptcp flags:Jjbec token:ed91c341(id:1)/b871e86a(id:1) seq:7d77c696594b8398 sfseq:2 ssnoff:3b6086fc maplen:1                                                                        
        tcp   ESTAB 0      0               10.91.1.1:37088 10.91.1.2:5299
        	 bbr wscale:10,10 rto:204 rtt:0.083/0.046 ato:40 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:12 bytes_sent:41 bytes_acked:42 bytes_received:2 segs_out:7 segs_in:5 data_segs_out:2 data_segs_in:2 bbr:(bw:681411720bps,mrtt:0.017,pacing_gain:2.88672,cwnd_gain:2.88672) send 1674795181bps lastsnd:2512 lastrcv:2512 lastack:2512 pacing_rate 3378095576bps delivery_rate 222769224bps delivered:3 rcv_space:14480 rcv_ssthresh:64088 minrtt:0.017 snd_wnd:64512 tcp-ulp-mptcp flags:Mmec token:0000(id:0)/b871e86a(id:0) seq:7d77c696594b8396 sfseq:2 ssnoff:741e28ca maplen:1                                                                                             
        tcp   ESTAB 0      0               10.91.1.1:37104 10.91.1.2:5299
        	 bbr wscale:10,10 rto:244 rtt:42.411/2.909 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:162 ssthresh:138 bytes_sent:7425320 bytes_acked:7425321 segs_out:5340 segs_in:2742 data_segs_out:5337 bbr:(bw:1592799856bps,mrtt:0.008,pacing_gain:1.25,cwnd_gain:2) send 44248143bps lastsnd:12 lastrcv:2508 pacing_rate 1971089824bps delivery_rate 9811336bps delivered:5338 busy:1520ms sndbuf_limited:280ms(18.4%) rcv_space:14480 rcv_ssthresh:64088 minrtt:0.008 snd_wnd:13658112 tcp-ulp-mptcp flags:Mmec token:0000(id:0)/9d765e5b(id:0) seq:17ccdb83b155e185 sfseq:1 ssnoff:29b739f5 maplen:0                                                                               
        mptcp ESTAB 0      0               10.91.1.1:37104 10.91.1.2:5299
        	 subflows:2 add_addr_accepted:1 subflows_max:2 add_addr_accepted_max:2 remote_key token:9d765e5b write_seq:5cb38cf1835732e5 snd_una:5cb38cf18321ea75 rcv_nxt:17ccdb83b155e185                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   
        mptcp ESTAB 0      0               10.91.1.1:37088 10.91.1.2:5299
        	 subflows:2 add_addr_accepted:1 subflows_max:2 add_addr_accepted_max:2 remote_key token:b871e86a write_seq:9539c8c33e3410d5 snd_una:9539c8c33e3410d5 rcv_nxt:7d77c696594b8399                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   
        """;

    /// <summary>ip mptcp monitor over two connections whose second-path endpoint was then deleted.</summary>
    public const string Monitor = """
        [       CREATED] token=b871e86a remid=0 locid=0 saddr4=10.91.1.1 daddr4=10.91.1.2 sport=37088 dport=5299
        [   ESTABLISHED] token=b871e86a remid=0 locid=0 saddr4=10.91.1.1 daddr4=10.91.1.2 sport=37088 dport=5299
        [     ANNOUNCED] token=b871e86a remid=1 daddr4=10.91.2.2 dport=5299
        [SF_ESTABLISHED] token=b871e86a remid=1 locid=1 saddr4=10.91.2.1 daddr4=10.91.2.2 sport=56397 dport=5299 backup=0
        [SF_ESTABLISHED] token=b871e86a remid=0 locid=1 saddr4=10.91.2.1 daddr4=10.91.1.2 sport=41687 dport=5299 backup=0 ifindex=3
        [       CREATED] token=9d765e5b remid=0 locid=0 saddr4=10.91.1.1 daddr4=10.91.1.2 sport=37104 dport=5299
        [   ESTABLISHED] token=9d765e5b remid=0 locid=0 saddr4=10.91.1.1 daddr4=10.91.1.2 sport=37104 dport=5299
        [     ANNOUNCED] token=9d765e5b remid=1 daddr4=10.91.2.2 dport=5299
        [SF_ESTABLISHED] token=9d765e5b remid=1 locid=1 saddr4=10.91.2.1 daddr4=10.91.2.2 sport=50127 dport=5299 backup=0
        [SF_ESTABLISHED] token=9d765e5b remid=0 locid=1 saddr4=10.91.2.1 daddr4=10.91.1.2 sport=60281 dport=5299 backup=0 ifindex=3
        [     SF_CLOSED] token=9d765e5b remid=1 locid=1 saddr4=10.91.2.1 daddr4=10.91.2.2 sport=50127 dport=5299 backup=0
        [     SF_CLOSED] token=9d765e5b remid=0 locid=1 saddr4=10.91.2.1 daddr4=10.91.1.2 sport=60281 dport=5299 backup=0 ifindex=3
        [     SF_CLOSED] token=b871e86a remid=1 locid=1 saddr4=10.91.2.1 daddr4=10.91.2.2 sport=56397 dport=5299 backup=0
        [     SF_CLOSED] token=b871e86a remid=0 locid=1 saddr4=10.91.2.1 daddr4=10.91.1.2 sport=41687 dport=5299 backup=0 ifindex=3
        [        CLOSED] token=9d765e5b
        [        CLOSED] token=b871e86a
        """;

    /// <summary>nstat -asz -j, MPTcpExt counters and two others (the full output has about 400).</summary>
    public const string NstatJson = """
        {"kernel":{"IpInReceives":2756,"TcpExtTCPLossProbes":3,"MPTcpExtMPCapableSYNRX":0,"MPTcpExtMPCapableSYNTX":2,"MPTcpExtMPCapableSYNACKRX":2,"MPTcpExtMPCapableACKRX":0,"MPTcpExtMPCapableFallbackACK":0,"MPTcpExtMPCapableFallbackSYNACK":0,"MPTcpExtMPCapableSYNTXDrop":0,"MPTcpExtMPCapableSYNTXDisabled":0,"MPTcpExtMPCapableEndpAttempt":0,"MPTcpExtMPFallbackTokenInit":0,"MPTcpExtMPTCPRetrans":3,"MPTcpExtMPJoinNoTokenFound":0,"MPTcpExtMPJoinSynRx":0,"MPTcpExtMPJoinSynBackupRx":0,"MPTcpExtMPJoinSynAckRx":4,"MPTcpExtMPJoinSynAckBackupRx":0,"MPTcpExtMPJoinSynAckHMacFailure":0,"MPTcpExtMPJoinAckRx":0,"MPTcpExtMPJoinAckHMacFailure":0,"MPTcpExtMPJoinRejected":0,"MPTcpExtMPJoinSynTx":4,"MPTcpExtMPJoinSynTxCreatSkErr":0,"MPTcpExtMPJoinSynTxBindErr":0,"MPTcpExtMPJoinSynTxConnectErr":0,"MPTcpExtDSSNotMatching":0,"MPTcpExtDSSCorruptionFallback":0,"MPTcpExtDSSCorruptionReset":0,"MPTcpExtInfiniteMapTx":0,"MPTcpExtInfiniteMapRx":0,"MPTcpExtDSSNoMatchTCP":0,"MPTcpExtDataCsumErr":0,"MPTcpExtOFOQueueTail":0,"MPTcpExtOFOQueue":0,"MPTcpExtOFOMerge":0,"MPTcpExtNoDSSInWindow":0,"MPTcpExtDuplicateData":0,"MPTcpExtAddAddr":2,"MPTcpExtAddAddrTx":0,"MPTcpExtAddAddrTxDrop":0,"MPTcpExtEchoAdd":0,"MPTcpExtEchoAddTx":2,"MPTcpExtEchoAddTxDrop":0,"MPTcpExtPortAdd":0,"MPTcpExtAddAddrDrop":0,"MPTcpExtMPJoinPortSynRx":0,"MPTcpExtMPJoinPortSynAckRx":0,"MPTcpExtMPJoinPortAckRx":0,"MPTcpExtMismatchPortSynRx":0,"MPTcpExtMismatchPortAckRx":0,"MPTcpExtRmAddr":0,"MPTcpExtRmAddrDrop":0,"MPTcpExtRmAddrTx":0,"MPTcpExtRmAddrTxDrop":0,"MPTcpExtRmSubflow":0,"MPTcpExtMPPrioTx":4,"MPTcpExtMPPrioRx":0,"MPTcpExtMPFailTx":0,"MPTcpExtMPFailRx":0,"MPTcpExtMPFastcloseTx":0,"MPTcpExtMPFastcloseRx":3,"MPTcpExtMPRstTx":0,"MPTcpExtMPRstRx":3,"MPTcpExtSubflowStale":0,"MPTcpExtSubflowRecover":0,"MPTcpExtSndWndShared":11,"MPTcpExtRcvWndShared":0,"MPTcpExtRcvWndConflictUpdate":0,"MPTcpExtRcvWndConflict":0,"MPTcpExtMPCurrEstab":0,"MPTcpExtBlackhole":0,"MPTcpExtMPCapableDataFallback":0,"MPTcpExtMD5SigFallback":0,"MPTcpExtDssFallback":0,"MPTcpExtSimultConnectFallback":0,"MPTcpExtFallbackFailed":0,"MPTcpExtWinProbe":0}}
        """;

}

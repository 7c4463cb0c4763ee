"""The parallel-flows section of the striper benchmark (issue 16; striper_bench.py runs it with --only parallel or in
the full run): 1, 2, 4 and 8 parallel TCP flows (iperf3 -P) through the striper against the same without the tunnel,
on the unshaped topology (2 veth paths; the baseline is the flows over one raw veth path) and on the shaped one (10,
30 and 60 Mbit/s; the baseline is the sum of what one TCP flow gets over each path alone, measured in this run).
Parallel TCP connections are the oldest way to fill several paths: the striper should not need them, so the
single-flow share of the multi-flow best shows what one flow loses."""
import striper_bench as bench

FLOWS = [1, 2, 4, 8]


def _flows(topology, target, seconds, count, bind=None):
    return bench.tcp_mbps(bench.iperf(topology, target, seconds, "-P", str(count), bind=bind))


def parallel(agent, work, seconds):
    result = {"flows": FLOWS}

    topology = bench.Topology(2)
    try:
        raw = {}
        for count in FLOWS:
            bench.log(f"parallel, unshaped: {count} TCP flows over one raw veth path")
            raw[count] = _flows(topology, "10.100.2.1", seconds, count) / 1000
        striper = bench.Striper(agent, work, topology, "round_robin")
        try:
            bench.iperf(topology, bench.TUNNEL_B, 3)  # the JIT's tiers, as in the unshaped section
            tunnel = {}
            for count in FLOWS:
                bench.log(f"parallel, unshaped: {count} TCP flows through the striper (round_robin)")
                tunnel[count] = _flows(topology, bench.TUNNEL_B, seconds, count) / 1000
        finally:
            striper.close()
        result["unshaped"] = {
            "raw_gbps": {str(c): round(raw[c], 3) for c in FLOWS},
            "striper_gbps": {str(c): round(tunnel[c], 3) for c in FLOWS},
            "ratio_to_raw": {str(c): round(tunnel[c] / raw[c], 3) for c in FLOWS},
            "single_flow_share_of_best": round(tunnel[1] / max(tunnel.values()), 3),
        }
    finally:
        topology.close()

    topology = bench.Topology(3, bench.SHAPED_RATES)
    try:
        singles = []
        for i in range(3):
            bench.log(f"parallel, shaped: path {i} alone, one TCP flow")
            singles.append(_flows(topology, f"10.{100 + i}.2.1", max(5, seconds // 2), 1, bind=f"10.{100 + i}.1.1"))
        total = sum(singles)
        striper = bench.Striper(agent, work, topology, "weighted", rates=bench.SHAPED_RATES)
        try:
            tunnel = {}
            for count in FLOWS:
                bench.log(f"parallel, shaped: {count} TCP flows through the striper (weighted)")
                tunnel[count] = _flows(topology, bench.TUNNEL_B, seconds, count)
        finally:
            striper.close()
        result["shaped"] = {
            "sum_mbps": round(total, 2),
            "striper_mbps": {str(c): round(tunnel[c], 2) for c in FLOWS},
            "share_of_sum": {str(c): round(tunnel[c] / total, 3) for c in FLOWS},
            "single_flow_share_of_best": round(tunnel[1] / max(tunnel.values()), 3),
        }
    finally:
        topology.close()
    return result

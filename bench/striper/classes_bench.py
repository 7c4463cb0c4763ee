"""The classes section of the striper benchmark (issue 13; striper_bench.py runs it with --only classes or in the
full run): a voice flow and a bulk TCP flow at once over three shaped paths, two of them lossy, with the voice class
plainly striped, duplicated and protected by FEC; then a fourth path of tier overflow under a demand below and above
the primaries' rate. Every figure comes from this run: the sender's and receiver's own counts, iperf3's JSON and the
striper's per-class and per-path counters (its --stats-interval-ms snapshots)."""
import json
import os
import subprocess
import sys
import time

import striper_bench as bench

RATES = [10, 30, 60]  # Mbit/s, tbf in M as in the shaped section
LOSS_PERCENT = [0, 5, 2]  # random drops in M (nftables numgen), both directions: the two larger paths are lossy
LTE_RATE = 20  # Mbit/s, the fourth path of the tiers part
VOICE_PORT, VOICE_RATE, VOICE_SIZE = 10000, 200, 160  # 200 packets/s of 160 bytes of UDP payload
BULK_PORT = 5203
VOICE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "voice.py")
FEC = {"targetLossPercent": 0.1, "maxDelayMs": 40, "maxOverheadPercent": 15}
MODES = {
    # The link's own scheduler for the voice class too, but in a class of its own so that its counters are separate.
    "plain": {"action": "stripe", "stripe": {"scheduler": "weighted"}},
    "duplicate": {"action": "duplicate", "duplicate": {"copies": 2}},
    "fec": {"action": "fec", "fec": FEC},
}


def voice_classes(mode):
    return [{"name": "voice", "match": {"protocol": "udp", "destinationPorts": [str(VOICE_PORT)]}, **MODES[mode]}]


def voice_class(snapshot):
    return next((c for c in snapshot.get("classes") or [] if c["name"] == "voice"), None)


def set_loss(topology, losses):
    """Random loss per path in M: a packet entering M from either side of path i is dropped with losses[i] %."""
    rules = "".join(f'    iifname {{ "ma{i}", "mb{i}" }} numgen random mod 1000 < {round(p * 10)} drop\n'
                    for i, p in enumerate(losses) if p)
    script = ("table inet flloss {\n  chain loss {\n    type filter hook forward priority 0; policy accept;\n"
              f"{rules}  }}\n}}\n")
    subprocess.run(["ip", "netns", "exec", topology.m, "nft", "-f", "-"], input=script, text=True, check=True)


def clear_loss(topology):
    bench.run("ip", "netns", "exec", topology.m, "nft", "delete", "table", "inet", "flloss")


def delta(after, before, *keys):
    return {k: after[k] - before[k] for k in keys}


def voice_run(work, topology, striper, mode, seconds):
    """The voice flow and one bulk TCP flow at once for seconds, with the voice class set to mode (live, SIGHUP)."""
    action = MODES[mode]["action"]
    striper.reload(lambda s: s.__setitem__("classes", voice_classes(mode)),
                   lambda snapshot: (voice_class(snapshot) or {}).get("action") == action, f"voice as {mode}")
    time.sleep(1)
    log_base = os.path.join(work, f"classes-{mode}")
    outputs = {name: open(f"{log_base}.{name}", "w+") for name in ("receiver", "sender", "bulk")}
    receiver = topology.start(topology.b, sys.executable, VOICE_SCRIPT, "receive", "--port", str(VOICE_PORT),
                              "--seconds", str(seconds + 60), stdout=outputs["receiver"])
    server = topology.start(topology.b, "iperf3", "-s", "-1", "-p", str(BULK_PORT))
    time.sleep(0.5)
    before_a, before_b = striper.last(striper.stats_a), striper.last(striper.stats_b)
    socket_drops_before = bench.udp_rcvbuf_errors(topology.b)
    started = time.time()
    bulk = topology.start(topology.a, "iperf3", "-c", bench.TUNNEL_B, "-p", str(BULK_PORT), "-t", str(seconds), "-J",
                          stdout=outputs["bulk"])
    sender = topology.start(topology.a, sys.executable, VOICE_SCRIPT, "send", "--host", bench.TUNNEL_B, "--port",
                            str(VOICE_PORT), "--rate", str(VOICE_RATE), "--size", str(VOICE_SIZE),
                            "--seconds", str(seconds), stdout=outputs["sender"])
    sender.wait(seconds + 60)
    bulk.wait(seconds + 60)
    elapsed = time.time() - started
    receiver.wait(seconds + 60)
    server.wait(10)
    time.sleep(0.5)  # one more snapshot of each side
    after_a, after_b = striper.last(striper.stats_a), striper.last(striper.stats_b)
    socket_drops = bench.udp_rcvbuf_errors(topology.b) - socket_drops_before
    read = {}
    for name, f in outputs.items():
        f.seek(0)
        read[name] = json.loads(f.read() or "{}")
        f.close()
    if "end" not in read["bulk"]:
        raise RuntimeError(f"iperf3 bulk flow ({mode}): {read['bulk'].get('error', 'no output')}")
    sent, received = read["sender"]["sent"], read["receiver"]["received"]
    tx = delta(voice_class(after_a), voice_class(before_a), "txPackets", "txBytes", "duplicatesSent", "duplicateBytes",
               "fecBlocks", "fecParityPackets", "fecParityBytes", "fecUnprotected", "dropNoPath")
    rx = delta(voice_class(after_b), voice_class(before_b), "rxPackets", "duplicatesDropped", "fecRecovered", "fecLost")
    extra = tx["duplicateBytes"] + tx["fecParityBytes"]
    return {
        "voice_sent": sent, "voice_received": received,
        "voice_loss_pct": round(100 * (sent - received) / sent, 4),
        "voice_sent_late": read["sender"]["sent_late"], "voice_duplicates_delivered": read["receiver"]["duplicates"],
        "voice_missing_first": read["receiver"]["missing_first"],
        "voice_delay_ms": read["receiver"]["delay_ms"],
        "receiver_socket_drops": socket_drops,
        "voice_overhead_pct": round(100 * extra / max(1, tx["txBytes"]), 2),
        "voice_wire_mbps": round((tx["txBytes"] + extra) * 8 / 1e6 / elapsed, 3),
        "voice_class_tx": tx, "voice_class_rx": rx,
        "bulk_mbps": round(bench.tcp_mbps(read["bulk"]), 2),
        "bulk_retransmits": read["bulk"]["end"]["sum_sent"].get("retransmits", 0),
        "path_health_after": [f"{p['health']} ({p['healthReason']}, loss {p['lossPercent']:.1f}%)" for p in after_a["paths"]],
    }


def tiers_run(agent, work, topology, seconds):
    """A fourth path of tier overflow, no random loss: UDP through the link below and above the primaries' rate."""
    rates = RATES + [LTE_RATE]
    striper = bench.Striper(agent, work, topology, "weighted", rates=rates, stats_ms=100,
                            tiers=["primary"] * len(RATES) + ["overflow"])
    try:
        result = {"rates_mbit": rates, "lte_path": len(RATES), "primaries_mbit": sum(RATES)}
        for name, factor in (("below", 0.5), ("above", 1.15)):
            offered = round(factor * sum(RATES), 1)
            bench.log(f"classes: tiers, UDP at {offered} Mbit/s ({name} the primaries' {sum(RATES)})")
            before = striper.last(striper.stats_a)
            udp = bench.iperf(topology, bench.TUNNEL_B, seconds, udp_rate=offered)
            time.sleep(0.3)
            after = striper.last(striper.stats_a)
            per_path = [a["txDataBytes"] - b["txDataBytes"] for a, b in zip(after["paths"], before["paths"])]
            result[name] = {
                "offered_mbps": offered, "received_mbps": round(udp["end"]["sum"]["bits_per_second"] / 1e6, 2),
                "tx_data_bytes_per_path": per_path, "lte_bytes": per_path[len(RATES)],
                "lte_mbps": round(per_path[len(RATES)] * 8 / 1e6 / seconds, 2),
                "overflow_bytes": after["overflowBytes"] - before["overflowBytes"],
                "lte_idle_reason_after": after["paths"][len(RATES)].get("idleReason"),
            }
        return result
    finally:
        striper.close()


def classes(agent, work, seconds):
    topology = bench.Topology(len(RATES) + 1, RATES + [LTE_RATE])
    striper = None
    try:
        # Up before the loss: the endpoints wait for every path to report up, which a lossy path may not at once.
        striper = bench.Striper(agent, work, topology, "weighted", rates=RATES, stats_ms=200, paths=len(RATES),
                                classes=voice_classes("plain"))
        set_loss(topology, LOSS_PERCENT)
        singles = []
        for i in range(len(RATES)):
            bench.log(f"classes: path {i} alone ({RATES[i]} Mbit/s, {LOSS_PERCENT[i]} % loss), one TCP flow")
            singles.append(bench.tcp_mbps(bench.iperf(topology, f"10.{100 + i}.2.1", max(4, seconds // 2), bind=f"10.{100 + i}.1.1")))
        result = {"rates_mbit": RATES, "loss_pct": LOSS_PERCENT, "voice": {"port": VOICE_PORT, "packets_per_s": VOICE_RATE, "payload_bytes": VOICE_SIZE},
                  "fec_options": FEC, "single_path_mbps": [round(x, 2) for x in singles], "sum_mbps": round(sum(singles), 2)}
        # 3 × the run length: 6,000 voice packets at the default, so the 0.1 % target is a count of 6, not of 4.
        voice_seconds = 3 * seconds
        result["voice_seconds"] = voice_seconds
        try:
            runs = {}
            for mode in MODES:
                bench.log(f"classes: voice ({mode}) and one bulk TCP flow for {voice_seconds} s")
                runs[mode] = voice_run(work, topology, striper, mode, voice_seconds)
            result["sessions"] = striper.last(striper.stats_a)["sessions"]
        finally:
            striper.close()
            striper = None
        plain_p99 = runs["plain"]["voice_delay_ms"]["p99"]
        for mode, run in runs.items():
            run["added_delay_p99_ms"] = round(run["voice_delay_ms"]["p99"] - plain_p99, 3)
            reference = result["sum_mbps"] - run["voice_wire_mbps"]
            run["bulk_ratio_to_sum_minus_voice"] = round(run["bulk_mbps"] / reference, 3)
            run["bulk_ratio_to_plain"] = round(run["bulk_mbps"] / runs["plain"]["bulk_mbps"], 3)
        result["runs"] = runs
        clear_loss(topology)
        result["tiers"] = tiers_run(agent, work, topology, seconds)
        result["load_average_at_end"] = round(os.getloadavg()[0], 1)
        fec = runs["fec"]
        result["targets"] = {
            "fec_residual_loss_lt_0_1pct": fec["voice_loss_pct"] < 0.1,
            "fec_overhead_le_15pct": fec["voice_overhead_pct"] <= 15,
            "fec_added_delay_p99_lt_20ms": fec["added_delay_p99_ms"] < 20,
            "bulk_with_fec_ge_85pct_of_sum_minus_voice": fec["bulk_ratio_to_sum_minus_voice"] >= 0.85,
            "overflow_idle_below_primaries": result["tiers"]["below"]["lte_bytes"] == 0,
            "overflow_carries_above_primaries": result["tiers"]["above"]["lte_bytes"] > 0,
        }
        return result
    finally:
        if striper:
            striper.close()
        topology.close()

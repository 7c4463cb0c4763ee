#!/usr/bin/env python3
"""Aggregator benchmark driver (bench/aggregator.sh runs it). Every process is started with an argument list (no
shell); namespaces carry a random per-run suffix and are deleted at the end, whatever happens."""
import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import time
from datetime import datetime

PORT = 7000
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(message):
    print(f"[aggregator-bench] {message}", file=sys.stderr, flush=True)


def run(*args, check=True, timeout=120):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


class CpuGroups:
    """Two CPU groups of equal weight: "hub" (the aggregator, or the baseline's engines in G) and "rest" (the sites'
    engines and iperf3). The kernel shares a contended CPU per runnable thread, so without them 50 baseline engines get
    about 50 times the share of the aggregator's one process (this machine's two cores carry every process of the run);
    with them each side gets the same half whatever its number of processes, and the comparison is of the endpoints,
    not of their process counts. cgroup v2 (cpu.weight) or the v1 cpu controller (cpu.shares); without either the run
    goes on ungrouped and says so in the JSON."""

    def __init__(self, suffix):
        unified = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        base = "/sys/fs/cgroup" if unified else "/sys/fs/cgroup/cpu"
        self.paths = {}
        try:
            if unified:
                with open(os.path.join(base, "cgroup.subtree_control"), "w") as f:
                    f.write("+cpu")
            for name in ("hub", "rest"):
                path = os.path.join(base, f"fleet-bench-{suffix}-{name}")
                os.makedirs(path, exist_ok=True)
                with open(os.path.join(path, "cpu.weight" if unified else "cpu.shares"), "w") as f:
                    f.write("100" if unified else "1024")
                self.paths[name] = path
        except OSError as e:
            log(f"no CPU groups ({e}): the hub side's share of the CPU follows its process count")
            self.delete()
            self.paths = {}

    @property
    def active(self):
        return bool(self.paths)

    def place(self, pid, name):
        if self.active:
            try:
                with open(os.path.join(self.paths[name], "cgroup.procs"), "w") as f:
                    f.write(str(pid))
            except OSError:
                pass  # the process has already ended

    def delete(self):
        for path in self.paths.values():
            try:
                os.rmdir(path)
            except OSError:
                pass


class Topology:
    """G (the aggregator host) with g0 10.250.0.1/24 and g1 10.251.0.1/24 to M; site k with p0 10.1.k.1/24 and
    p1 10.2.k.1/24 to M. A site reaches 10.250.0.1 on both paths (one route per path, metric 1 and 2: each socket is
    bound to its device) and 10.251.0.1 on p1; the baseline's engines in G listen on g0 and g1, the aggregator on g0."""

    def __init__(self, sites):
        suffix = secrets.token_hex(3)
        self.g, self.m = f"flab{suffix}g", f"flab{suffix}m"
        self.sites = [f"flab{suffix}s{k}" for k in range(sites)]
        self.processes = []
        self.groups = CpuGroups(suffix)
        for ns in [self.g, self.m, *self.sites]:
            run("ip", "netns", "add", ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "netns", "exec", self.m, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for i, net in enumerate(("10.250.0", "10.251.0")):
            run("ip", "link", "add", f"g{i}", "netns", self.g, "type", "veth", "peer", "name", f"mg{i}", "netns", self.m)
            run("ip", "-n", self.g, "addr", "add", f"{net}.1/24", "dev", f"g{i}")
            run("ip", "-n", self.m, "addr", "add", f"{net}.2/24", "dev", f"mg{i}")
            run("ip", "-n", self.g, "link", "set", f"g{i}", "up")
            run("ip", "-n", self.m, "link", "set", f"mg{i}", "up")
        run("ip", "-n", self.g, "route", "add", "10.0.0.0/8", "via", "10.250.0.2", "dev", "g0")
        for k, ns in enumerate(self.sites):
            for i in range(2):
                net = f"10.{i + 1}.{k}"
                run("ip", "link", "add", f"p{i}", "netns", ns, "type", "veth", "peer", "name", f"s{k}p{i}", "netns", self.m)
                run("ip", "-n", ns, "addr", "add", f"{net}.1/24", "dev", f"p{i}")
                run("ip", "-n", self.m, "addr", "add", f"{net}.2/24", "dev", f"s{k}p{i}")
                run("ip", "-n", ns, "link", "set", f"p{i}", "up")
                run("ip", "-n", self.m, "link", "set", f"s{k}p{i}", "up")
                run("ip", "-n", ns, "route", "add", "10.250.0.0/24", "via", f"{net}.2", "dev", f"p{i}", "metric", str(i + 1))
            run("ip", "-n", ns, "route", "add", "10.251.0.0/24", "via", f"10.2.{k}.2", "dev", "p1")

    def start(self, ns, *args, group="rest"):
        """Starts args in ns (ip netns exec execs them in its own process) in CPU group group."""
        process = subprocess.Popen(["ip", "netns", "exec", ns, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.groups.place(process.pid, group)
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []

    def delete(self):
        self.stop_all()
        for ns in [*self.sites, self.g, self.m]:
            run("ip", "netns", "del", ns, check=False)
        self.groups.delete()


def key():
    return base64.b64encode(secrets.token_bytes(32)).decode()


def write(work, name, spec):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(spec, f)
    return path


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def start_deadline(sites):
    """When the sites' engines must answer by: dozens of .NET processes starting at once on a busy two-core machine take
    seconds each."""
    return time.monotonic() + 30 + 3 * sites


def wait_for_ping(ns, target, deadline):
    while time.monotonic() < deadline:
        if run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", target, check=False).returncode == 0:
            return
    raise RuntimeError(f"no answer from {target} in {ns}")


def transfers(topology, targets, seconds):
    """One TCP flow per site at once, site k to targets[k] in G; the receiver's Gbit/s per site."""
    servers = [topology.start(topology.g, "iperf3", "-s", "-1", "-p", str(5201 + k)) for k in range(len(targets))]
    time.sleep(0.5)
    clients = [subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-c", target, "-p", str(5201 + k), "-t", str(seconds), "-J"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
               for k, (ns, target) in enumerate(zip(topology.sites, targets))]
    for client in clients:
        topology.groups.place(client.pid, "rest")
    rates = []
    for client in clients:
        out, _ = client.communicate(timeout=seconds + 60)
        try:
            rates.append(json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9)
        except (ValueError, KeyError):
            rates.append(0.0)
    for server in servers:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Its client never connected (its rate is 0 above): a one-off server waits for ever.
            server.kill()
            server.wait()
    return rates


def jain(rates):
    total = sum(rates)
    squares = sum(r * r for r in rates)
    return round(total * total / (len(rates) * squares), 4) if squares > 0 else 0.0


def measure(topology, hub_pids, targets, seconds):
    before = sum(cpu_seconds(pid) for pid in hub_pids)
    started = time.monotonic()
    rates = transfers(topology, targets, seconds)
    elapsed = time.monotonic() - started
    cores = (sum(cpu_seconds(pid) for pid in hub_pids) - before) / elapsed
    gbps = sum(rates)
    return {
        "gbps": round(gbps, 3),
        "per_site_gbps": [round(r, 3) for r in rates],
        "jain": jain(rates),
        "hub_cpu_cores": round(cores, 3),
        "gbps_per_core": round(gbps / cores, 3) if cores > 0 else None,
        "hub_rss_mb": round(sum(rss_mb(pid) for pid in hub_pids), 1),
    }


def site_spec(k, key_, members, addresses, site_id=None):
    striper = {"key": key_, "scheduler": "round_robin"}
    if site_id is not None:
        striper["siteId"] = site_id
    return {"kind": "striper", "name": "str0", "members": members, "addresses": addresses, "striper": striper}


def run_aggregator(agent, work, topology, keys, seconds, workers):
    n = len(topology.sites)
    spec = {"name": "agg0", "interface": "g0", "port": PORT, "addresses": ["10.99.0.1/16"],
            "sites": [{"id": k + 1, "paths": 2, "prefixes": [f"10.99.{k + 1}.0/24"], "striper": {"key": keys[k], "scheduler": "round_robin"}}
                      for k in range(n)]}
    hub = topology.start(topology.g, agent, "striper", "aggregate", "--config", write(work, "aggregator.json", spec), "--workers", str(workers), group="hub")
    for k, ns in enumerate(topology.sites):
        members = [{"interface": f"p{i}", "address": f"10.{i + 1}.{k}.1", "peer": f"10.250.0.1:{PORT}"} for i in range(2)]
        topology.start(ns, agent, "striper", "run", "--config",
                       write(work, f"site{k}.json", site_spec(k, keys[k], members, [f"10.99.{k + 1}.1/16"], k + 1)))
    deadline = start_deadline(n)
    for ns in topology.sites:
        wait_for_ping(ns, "10.99.0.1", deadline)
    result = measure(topology, [hub.pid], ["10.99.0.1"] * n, seconds)
    topology.stop_all()
    return result


def run_baseline(agent, work, topology, keys, seconds):
    hubs = []
    for k, ns in enumerate(topology.sites):
        port = 7100 + k
        listener = [{"interface": "g0", "address": "10.250.0.1", "localPort": port}, {"interface": "g1", "address": "10.251.0.1", "localPort": port}]
        hubs.append(topology.start(topology.g, agent, "striper", "run", "--config",
                                   write(work, f"p2p{k}.json", dict(site_spec(k, keys[k], listener, [f"10.98.{k}.2/30"]), name=f"p2p{k}")),
                                   group="hub"))
        members = [{"interface": "p0", "address": f"10.1.{k}.1", "peer": f"10.250.0.1:{port}"},
                   {"interface": "p1", "address": f"10.2.{k}.1", "peer": f"10.251.0.1:{port}"}]
        topology.start(ns, agent, "striper", "run", "--config", write(work, f"site{k}-p2p.json", site_spec(k, keys[k], members, [f"10.98.{k}.1/30"])))
    deadline = start_deadline(len(topology.sites))
    for k, ns in enumerate(topology.sites):
        wait_for_ping(ns, f"10.98.{k}.2", deadline)
    result = measure(topology, [h.pid for h in hubs], [f"10.98.{k}.2" for k in range(len(topology.sites))], seconds)
    topology.stop_all()
    return result


def run_cold_start(agent, swarm, work, sessions, workers, timeout_seconds=180):
    """An aggregator configured with `sessions` sites (one path each) and, in one site namespace, the site swarm: one
    process whose lightweight sites (bench/aggregator/SiteSwarm, the striper's own handshake code) all dial at once.
    Times come from the swarm; memory from the aggregator before (sites configured, no session) and after."""
    topology = Topology(1)
    try:
        keys = [key() for _ in range(sessions)]
        spec = {"name": "agg0", "interface": "g0", "port": PORT, "addresses": ["10.99.0.1/16"],
                "sites": [{"id": k + 1, "paths": 1, "prefixes": [f"10.{100 + k // 250}.{k % 250}.0/24"],
                           "striper": {"key": keys[k], "scheduler": "round_robin"}} for k in range(sessions)]}
        started = time.monotonic()
        hub = subprocess.Popen(["ip", "netns", "exec", topology.g, agent, "striper", "aggregate", "--config", write(work, "cold.json", spec),
                                "--workers", str(workers)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        topology.processes.append(hub)
        for line in hub.stdout:
            if "running" in line:
                break
        else:
            raise RuntimeError("the aggregator stopped before it ran")
        startup = time.monotonic() - started
        time.sleep(1)
        idle = rss_mb(hub.pid)
        cpu_before = cpu_seconds(hub.pid)
        out = run("ip", "netns", "exec", topology.sites[0], swarm, f"10.250.0.1:{PORT}", write(work, "cold-keys.json", keys), str(timeout_seconds),
                  check=False, timeout=timeout_seconds + 30).stdout
        swarmed = json.loads(out.strip().splitlines()[-1])
        after = rss_mb(hub.pid)
        confirmed = swarmed["confirmed_ms"]
        established = swarmed["established_ms"]
        return {
            "sessions": sessions,
            "confirmed": swarmed["confirmed"],
            "total_ms": round(swarmed["total_ms"], 1),
            "established_p50_ms": percentile(established, 50),
            "established_p99_ms": percentile(established, 99),
            "confirmed_p50_ms": percentile(confirmed, 50),
            "confirmed_p99_ms": percentile(confirmed, 99),
            "hellos_sent": swarmed["hellos_sent"],
            "hub_cpu_seconds": round(cpu_seconds(hub.pid) - cpu_before, 2),
            "hub_startup_seconds": round(startup, 2),
            "hub_rss_mb_idle": round(idle, 1),
            "hub_rss_mb_after": round(after, 1),
            "hub_rss_kb_per_site": round(after * 1000 / sessions, 1),
            "hub_rss_kb_per_session": round((after - idle) * 1000 / sessions, 1),
        }
    finally:
        topology.delete()


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def ratio(value, base):
    return round(value / base, 3) if value and base else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--sites", type=int, nargs="*", default=[1, 10, 50])
    parser.add_argument("--swarm", help="fleet-bench-site-swarm, for the cold start of --sessions sessions")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="the aggregator's workers, measured against one worker in the same run")
    args = parser.parse_args()
    results = []
    for n in args.sites:
        topology = Topology(n)
        grouped = topology.groups.active
        try:
            keys = [key() for _ in range(n)]
            log(f"{n} sites: aggregator, 1 worker")
            one_worker = run_aggregator(args.agent, args.work, topology, keys, args.seconds, 1)
            log(f"{n} sites, 1 worker: {one_worker['gbps']} Gbit/s, {one_worker['hub_cpu_cores']} cores; aggregator, {args.workers} workers")
            aggregated = run_aggregator(args.agent, args.work, topology, keys, args.seconds, args.workers)
            log(f"{n} sites, {args.workers} workers: {aggregated['gbps']} Gbit/s, {aggregated['hub_cpu_cores']} cores; baseline: {n} point-to-point engines")
            baseline = run_baseline(args.agent, args.work, topology, keys, args.seconds)
            log(f"{n} sites baseline: {baseline['gbps']} Gbit/s, {baseline['hub_cpu_cores']} cores")
        finally:
            topology.delete()
        results.append({
            "sites": n,
            "workers": args.workers,
            "aggregator": aggregated,
            "aggregator_one_worker": one_worker,
            "workers_gbps_ratio": ratio(aggregated["gbps"], one_worker["gbps"]),
            "workers_gbps_per_core_ratio": ratio(aggregated["gbps_per_core"], one_worker["gbps_per_core"]),
            "baseline": baseline,
            "gbps_ratio": round(aggregated["gbps"] / baseline["gbps"], 3) if baseline["gbps"] else None,
            "gbps_per_core_ratio": round(aggregated["gbps_per_core"] / baseline["gbps_per_core"], 3)
            if aggregated["gbps_per_core"] and baseline["gbps_per_core"] else None,
            "hub_rss_mb_per_site": round(aggregated["hub_rss_mb"] / n, 1),
            "cpu_groups": grouped,
        })
    cold_start = None
    cold_start_one_worker = None
    cold_start_ratios = None
    if args.swarm and args.sessions > 0:
        log(f"cold start: {args.sessions} sessions, {args.workers} workers")
        cold_start = run_cold_start(args.agent, args.swarm, args.work, args.sessions, args.workers)
        log(f"cold start: {cold_start['confirmed']} of {args.sessions} in {cold_start['total_ms']} ms, "
            f"{cold_start['hellos_sent']} hellos, aggregator {cold_start['hub_rss_mb_after']} MB")
        if args.workers > 1:
            # The baseline of the handshake rounds: with one worker every tag lands on the site's lane.
            cold_start_one_worker = run_cold_start(args.agent, args.swarm, args.work, args.sessions, 1)
            log(f"cold start, 1 worker: {cold_start_one_worker['confirmed']} of {args.sessions} in "
                f"{cold_start_one_worker['total_ms']} ms, {cold_start_one_worker['hellos_sent']} hellos")
            cold_start_ratios = {field: ratio(cold_start[field], cold_start_one_worker[field])
                                 for field in ("total_ms", "established_p50_ms", "confirmed_p50_ms", "confirmed_p99_ms", "hellos_sent", "hub_cpu_seconds")}
    print(json.dumps({"bench": "aggregator", "time": datetime.now().astimezone().isoformat(timespec="seconds"),
                      "seconds": args.seconds, "load_average": os.getloadavg()[0], "results": results, "cold_start": cold_start,
                      "cold_start_one_worker": cold_start_one_worker, "cold_start_workers_ratio": cold_start_ratios}))


if __name__ == "__main__":
    main()

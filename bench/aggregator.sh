#!/usr/bin/env bash
# Aggregator benchmark (root): builds fleet-agent, builds its own namespaces (an aggregator G and N sites, each site with
# two veth paths through a middle namespace), and measures for 1 and 10 sites, in one run, every site's TCP flow at once
# through one `fleet-agent striper aggregate` against the same traffic through N separate point-to-point engines (the
# baseline), and one aggregator with AGGREGATOR_BENCH_WORKERS workers against one with a single worker: aggregate
# Gbit/s, CPU (Gbit/s per core), resident memory, Jain's fairness index. Then the cold start: an
# aggregator configured with 1,000 sites and one process of lightweight sites (bench/aggregator/SiteSwarm) that all
# handshake at once: time until every session is up, the aggregator's memory.
# Progress goes to stderr; the last line on stdout is one JSON object (bench/aggregator/README.md explains every field).
#   AGGREGATOR_BENCH_SECONDS=5   length of each throughput run
#   AGGREGATOR_BENCH_SITES="1 10 50" site counts (an empty value skips the throughput runs)
#   AGGREGATOR_BENCH_SESSIONS=1000   sessions of the cold start (0 skips it)
#   AGGREGATOR_BENCH_WORKERS=2   the aggregator's workers, measured against the aggregator with one worker in the same run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "bench/aggregator.sh needs root (network namespaces, veth, TUN)" >&2
  exit 1
fi
for tool in ip iperf3 python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "missing $tool (build/prerequisites.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/fleet-aggregator-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building fleet-agent (Release) ..." >&2
dotnet build "$root/src/Agent/Fleet.Agent.csproj" -c Release -o "$work/bin" -nologo -clp:ErrorsOnly -v:q >&2
dotnet build "$root/bench/aggregator/SiteSwarm/Fleet.Bench.SiteSwarm.csproj" -c Release -o "$work/swarm" -nologo -clp:ErrorsOnly -v:q >&2
sites=${AGGREGATOR_BENCH_SITES-1 10 50}
python3 "$root/bench/aggregator/aggregator_bench.py" --agent "$work/bin/fleet-agent" --work "$work" --swarm "$work/swarm/fleet-bench-site-swarm" \
  --seconds "${AGGREGATOR_BENCH_SECONDS:-5}" --sites ${sites} --sessions "${AGGREGATOR_BENCH_SESSIONS:-1000}" \
  --workers "${AGGREGATOR_BENCH_WORKERS:-2}" "$@"

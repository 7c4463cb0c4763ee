#!/usr/bin/env bash
# Striper benchmark (root): builds fleet-agent, builds its own namespaces (two hosts joined through a middle namespace
# by veth paths), and measures in one run, against baselines measured in the same run:
#   unshaped: 2 veth paths, one TCP flow: raw veth vs striper, and the striper's CPU use
#   shaped:   3 paths shaped with tbf to 10/30/60 Mbit/s: single paths, kernel MPTCP, the striper with every
#             scheduler, UDP loss at 95 % of the sum, and failover after a silent path cut
#   classes:  the same 3 paths, two of them lossy (2 % and 5 %): a voice flow with a bulk TCP flow, the voice class
#             striped vs duplicate vs fec; a 4th path of tier overflow below and above the primaries' rate
#   parallel: 1, 2, 4 and 8 parallel TCP flows (iperf3 -P) through the striper vs without it, unshaped and shaped
# Progress goes to stderr; the last line on stdout is one JSON object (bench/striper/README.md explains every field).
#   STRIPER_BENCH_SECONDS=10   length of each throughput run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "bench/striper.sh needs root (network namespaces, veth, tc, TUN)" >&2
  exit 1
fi
for tool in ip tc nft iperf3 mptcpize python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "missing $tool (build/prerequisites.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/fleet-striper-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building fleet-agent (Release) ..." >&2
dotnet build "$root/src/Agent/Fleet.Agent.csproj" -c Release -o "$work/bin" -nologo -clp:ErrorsOnly -v:q >&2
python3 "$root/bench/striper/striper_bench.py" --agent "$work/bin/fleet-agent" --work "$work" --seconds "${STRIPER_BENCH_SECONDS:-10}" "$@"

#!/usr/bin/env bash
# Link doctor benchmark (root): every fault scenario of docs/doctor.md, "Tested faults", made for real on the doctor's
# netns test bed (tests/Agent.Tests/Doctor/DoctorBed: a real `fleet-agent run` daemon, paths through a middle namespace)
# — path cut, 120 ms delay, 5 % loss, round_robin on unequal paths, a healthy link under load, the speed test on 10/30
# Mbit/s paths with weights 1:1, and three MPTCP faults — and reports per scenario the expected and the actual top
# finding, right or wrong, the time to diagnosis, and for the speed test the measured capacity against the tbf rate.
# The scenarios are the Privileged doctor tests themselves (one bed, one definition of each fault); each writes its
# outcome before asserting, so a wrong diagnosis is scored wrong rather than lost. Progress on stderr; the last line
# on stdout is one JSON object with `score` ("right of N"); bench/doctor/README.md explains every field.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "bench/doctor.sh needs root (network namespaces, veth, TUN, nftables, MPTCP)" >&2
  exit 1
fi
for tool in ip tc nft iperf3 mptcpize python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "missing $tool (build/prerequisites.sh installs it)" >&2; exit 1; }
done

echo "building tests/Agent.Tests (Release) ..." >&2
dotnet build "$root/tests/Agent.Tests" -c Release -nologo -clp:ErrorsOnly -v:q >&2
python3 "$root/bench/doctor/doctor_bench.py" --tests "$root/tests/Agent.Tests/bin/Release/net10.0/Fleet.Agent.Tests" "$@"

#!/usr/bin/env bash
# Fleet's test command (README.md): prerequisites, build, every test suite, a pass/fail summary.
#   ./test.sh                 everything (as root: privileged, browser and kernel-VM tests included)
#   ./test.sh --filter EXPR   one dotnet test run over the solution with that filter (e.g. "Category!=KernelVm")
#
# The suites run in three phases so that the tests that measure time, move packets or drive a browser do not share
# the machine's two cores with a build or with each other:
#   1. CPU-only suites side by side: Contracts, Api (SQLite + PostgreSQL), Deploy (builds and installs the .deb),
#      Web.Components (the dashboard's Razor components under bunit, no browser);
#   2. one at a time: Striper, Agent (without the kernel VM), Web (Chromium), EndToEnd;
#   3. alone: the kernel-VM suite (a Debian kernel under qemu, software emulation).
set -euo pipefail
cd "$(dirname "$0")"

./build/prerequisites.sh

if [[ $(id -u) -ne 0 ]]; then
  echo "########################################################################################" >&2
  echo "# NOT ROOT: privileged tests (namespaces, TUN, MPTCP, kernel VM) will be SKIPPED.       #" >&2
  echo "# Run as root for the full suite; under CI=true a skipped privileged test fails the run. #" >&2
  echo "########################################################################################" >&2
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build Fleet.sln -c Release -nologo -clp:ErrorsOnly

status=0
# dotnet test with this repository's settings; $1 the project or solution, the rest extra arguments.
run_tests() {
  local target=$1
  shift
  dotnet test "$target" -c Release --no-build --nologo \
    --results-directory "$results" --logger "trx" --logger "console;verbosity=normal" "$@"
}

phase() {
  echo
  echo "=== $(date -u +%H:%M:%S) $*"
}

if [[ $# -gt 0 ]]; then
  phase "solution, $*"
  run_tests Fleet.sln "$@" || status=$?
else
  started=$SECONDS
  phase "phase 1: Contracts, Api, Deploy, Web.Components side by side"
  pids=()
  for suite in Contracts Api Deploy Web.Components; do
    run_tests "tests/$suite.Tests/Fleet.$suite.Tests.csproj" >"$results/$suite.log" 2>&1 &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
  done
  for suite in Contracts Api Deploy Web.Components; do
    echo "--- $suite.Tests"
    cat "$results/$suite.log"
  done

  phase "phase 2: Striper, Agent, Web, EndToEnd one at a time"
  # Category=Quarantined: a test failing some runs for a known, unfixed cause (README, "Tests").
  run_tests tests/Striper.Tests/Fleet.Striper.Tests.csproj --filter "Category!=Quarantined" || status=1
  run_tests tests/Agent.Tests/Fleet.Agent.Tests.csproj --filter "Category!=KernelVm" || status=1
  run_tests tests/Web.Tests/Fleet.Web.Tests.csproj || status=1
  run_tests tests/EndToEnd.Tests/Fleet.EndToEnd.Tests.csproj || status=1

  phase "phase 3: kernel VM (bonding, teql, netem in a Debian kernel under qemu)"
  run_tests tests/Agent.Tests/Fleet.Agent.Tests.csproj --filter "Category=KernelVm" || status=1
  phase "all suites ran in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
fi

python3 build/test-summary.py "$results" || status=1
exit $status

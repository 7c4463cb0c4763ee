#!/usr/bin/env python3
"""Link doctor benchmark driver (bench/doctor.sh runs it): runs the doctor's fault scenarios (the Privileged test classes
of tests/Agent.Tests/Doctor) one class at a time and scores the `doctor-scenario {json}` line each scenario writes."""
import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

PREFIX = "doctor-scenario "
CLASSES = [
    "Fleet.Agent.Tests.Doctor.DoctorNamespacedTests",
    "Fleet.Agent.Tests.Doctor.DoctorStriperFaultTests",
    "Fleet.Agent.Tests.Doctor.DoctorMptcpFaultTests",
]
# Every scenario the classes run, with the finding expected on top: one that writes no line is scored wrong.
SCENARIOS = {
    "path_cut": "member_down",
    "speed_test_10_30_weights_1_1": "capacity_mismatch",
    "delay_120ms": "delay_spread",
    "loss_5pct": "lossy_member",
    "round_robin_unequal": "scheduler_unsuited",
    "healthy_under_load": "healthy",
    "mptcp_signal_only": "endpoint_flags",
    "mptcp_limits_0": "mptcp_limits",
    "mptcp_mp_join_dropped": "one_subflow",
}


def log(message):
    print(f"[doctor-bench] {message}", file=sys.stderr, flush=True)


def run_class(tests, name):
    """Runs one test class; returns its scenarios' outcomes (by name) and the runner's summary line."""
    started = time.monotonic()
    result = subprocess.run([tests, "-class", name, "-showLiveOutput", "-noColor"], capture_output=True, text=True, timeout=900)
    outcomes = {}
    summary = ""
    for line in result.stdout.splitlines():
        at = line.find(PREFIX)
        if at >= 0:
            outcome = json.loads(line[at + len(PREFIX):])
            outcomes[outcome["scenario"]] = outcome
        elif "Total:" in line:
            summary = line.strip()
    log(f"{name}: {summary} ({time.monotonic() - started:.0f} s)")
    if result.returncode != 0:
        failed = [line.strip() for line in result.stdout.splitlines() if "[FAIL]" in line]
        log(f"  failed: {failed}")
    return outcomes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", required=True, help="the built Fleet.Agent.Tests executable")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    outcomes = {}
    for name in CLASSES:
        outcomes.update(run_class(args.tests, name))

    rows = []
    for scenario, expected in SCENARIOS.items():
        outcome = outcomes.get(scenario)
        actual = outcome["actual"] if outcome else None
        row = {
            "scenario": scenario,
            "expected": expected,
            "actual": actual if outcome else "no outcome (the scenario failed before the doctor answered)",
            "right": outcome is not None and actual == expected,
            "seconds_to_diagnosis": outcome["secondsToDiagnosis"] if outcome else None,
        }
        if outcome and outcome.get("paths"):
            row["paths"] = [
                {"member": p["member"], "measured_mbit": None if p["measuredMbit"] is None else round(p["measuredMbit"], 2),
                 "tbf_mbit": p["tbfMbit"], "error_percent": p["errorPercent"]}
                for p in outcome["paths"]
            ]
        rows.append(row)

    right = sum(1 for r in rows if r["right"])
    print(f"{'scenario':<30} {'expected':<20} {'actual':<20} {'':<6} {'diagnosis':>9}")
    for r in rows:
        seconds = "-" if r["seconds_to_diagnosis"] is None else f"{r['seconds_to_diagnosis']:.2f} s"
        print(f"{r['scenario']:<30} {r['expected']:<20} {str(r['actual'])[:20]:<20} {'right' if r['right'] else 'WRONG':<6} {seconds:>9}")
        for p in r.get("paths", []):
            print(f"{'':<30} {p['member']}: measured {p['measured_mbit']} Mbit/s against tbf {p['tbf_mbit']} Mbit/s ({p['error_percent']:+.1f} %)"
                  if p["error_percent"] is not None else f"{'':<30} {p['member']}: not measured (tbf {p['tbf_mbit']} Mbit/s)")
    print(json.dumps({
        "bench": "doctor",
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "score": f"{right} of {len(rows)}",
        "right": right,
        "scenarios": len(rows),
        "results": rows,
    }))


if __name__ == "__main__":
    main()

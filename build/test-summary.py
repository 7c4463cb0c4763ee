#!/usr/bin/env python3
"""Prints one line per test assembly and a total from the .trx files dotnet test wrote; exit 1 on any failure."""
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
results_dir = sys.argv[1] if len(sys.argv) > 1 else "artifacts/test-results"
files = sorted(glob.glob(f"{results_dir}/**/*.trx", recursive=True))
if not files:
    print("TEST SUMMARY: no results found (did the build fail?)")
    sys.exit(1)

totals = {"total": 0, "passed": 0, "failed": 0, "skipped": 0}
failed_names = []
print("\nTEST SUMMARY")
for path in files:
    root = ET.parse(path).getroot()
    counters = root.find("t:ResultSummary/t:Counters", NS)
    storage = root.find("t:TestDefinitions/t:UnitTest", NS)
    name = storage.get("storage", path).rsplit("/", 1)[-1] if storage is not None else "(assembly without tests)"
    total = int(counters.get("total", 0))
    passed = int(counters.get("passed", 0))
    failed = int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped = total - passed - failed
    for key, value in (("total", total), ("passed", passed), ("failed", failed), ("skipped", skipped)):
        totals[key] += value
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        if result.get("outcome") == "Failed":
            failed_names.append(result.get("testName"))
    print(f"  {'FAIL' if failed else 'ok  '}  {name:<40} {passed:>5} passed {failed:>4} failed {skipped:>4} skipped")
print(f"  TOTAL {totals['total']} tests: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
for name in failed_names:
    print(f"  failed: {name}")
sys.exit(1 if totals["failed"] else 0)

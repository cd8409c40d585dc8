#!/usr/bin/python3
"""Adds up the results of every test run (.NET TRX files and pytest JUnit XML) in a folder.

Prints one line per file, then the closing line `N passed, N failed, N skipped`.
Exits 1 when a test failed or nothing ran at all.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TRX = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def count_trx(path):
    counters = ET.parse(path).getroot().find(f"{TRX}ResultSummary/{TRX}Counters")
    get = lambda name: int(counters.get(name, 0))
    failed = get("failed") + get("error") + get("timeout") + get("aborted")
    # xUnit's skipped tests count as not executed: in the total, not in "executed".
    not_run = max(get("notExecuted"), get("total") - get("executed"))
    return get("passed"), failed, not_run


def not_run_trx(path):
    """Names and reasons of the tests a TRX file reports as not run (skipped)."""
    for result in ET.parse(path).getroot().iter(f"{TRX}UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            reason = result.find(f"{TRX}Output/{TRX}StdOut")
            message = result.find(f"{TRX}Output/{TRX}ErrorInfo/{TRX}Message")
            text = next((e.text for e in (message, reason) if e is not None and e.text), "")
            yield result.get("testName"), text.strip().splitlines()[0] if text.strip() else "no reason given"


def count_junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def main(folder):
    passed = failed = skipped = 0
    files = sorted(Path(folder).rglob("*.trx")) + sorted(Path(folder).rglob("*.xml"))
    for path in files:
        p, f, s = count_trx(path) if path.suffix == ".trx" else count_junit(path)
        print(f"  {path.name}: {p} passed, {f} failed, {s} skipped")
        if path.suffix == ".trx":
            for name, reason in not_run_trx(path):
                print(f"    not run: {name}: {reason}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "test-results"))

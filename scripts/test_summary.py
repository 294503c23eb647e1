#!/usr/bin/env python3
"""Print one closing line for `meson test` runs: 'tests: N passed, N failed, N skipped'.

Usage: test_summary.py LOGDIR [LOGDIR ...]   (each a build's meson-logs folder)

Counts GoogleTest cases from meson's JUnit log; a test binary that failed
without reporting cases (a crash, a timeout) counts as one failure more.
"""
import json
import sys
import xml.etree.ElementTree as ET


def count(logdir):
    passed = failed = skipped = 0
    for case in ET.parse(f"{logdir}/testlog.junit.xml").iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    binaries_failed = 0
    with open(f"{logdir}/testlog.json") as f:
        for line in f:
            if json.loads(line)["result"] not in ("OK", "SKIP", "EXPECTEDFAIL"):
                binaries_failed += 1
    return passed, max(failed, binaries_failed), skipped


passed = failed = skipped = 0
for logdir in sys.argv[1:] or ["build/meson-logs"]:
    p, f, s = count(logdir)
    passed, failed, skipped = passed + p, failed + f, skipped + s

print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")

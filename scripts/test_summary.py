#!/usr/bin/env python3
"""Print one closing line for a `meson test` run: 'tests: N passed, N failed, N skipped'.

Counts GoogleTest cases from meson's JUnit log; a test binary that failed
without reporting cases (a crash, a timeout) counts as one failure more.
"""
import json
import sys
import xml.etree.ElementTree as ET

logdir = sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs"
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
if binaries_failed and not failed:
    failed = binaries_failed

print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")

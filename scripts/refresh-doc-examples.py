#!/usr/bin/env python3
"""Rewrites the diff examples in README.md and docs/*.md from the tool's output.

    scripts/refresh-doc-examples.py [BINARY]     (default: build/sslfeatures)

A fenced block whose first line is `$ build/sslfeatures diff openssl-...` (two reference
tables, no pipe, no "..." elision) is replaced by that command's output. The `docs` test
checks the same blocks, so after a change to the tables or the findings rules, run this and
commit the pages it changed.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^\s*(```|~~~)")


def between_tables(command):
    """`$ build/sslfeatures diff openssl-X openssl-Y [options]`: the output depends on the tables
    alone, not on the library the binary runs with."""
    if not command.startswith("$ build/sslfeatures diff ") or "|" in command:
        return False
    words = shlex.split(command[2:])
    return len(words) >= 4 and all(re.fullmatch(r"openssl-[0-9][0-9a-z.]*", w) for w in words[2:4])


def refresh(path, binary):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i, changed = [], 0, False
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not FENCE.match(line) or i >= len(lines):
            continue
        command = lines[i]
        end = i
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        body = lines[i + 1:end]
        if between_tables(command) and not any(b.strip() == "..." for b in body):
            argv = [binary] + shlex.split(command[2:])[1:]
            text = subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip("\n")
            new_body = text.split("\n")
            changed |= new_body != body
            out.append(command)
            out.extend(new_body)
        else:
            out.extend(lines[i:end])
        out.append(lines[end] if end < len(lines) else "")
        i = end + 1
    if changed:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
        print(f"rewrote {os.path.relpath(path, ROOT)}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sslfeatures")
    for path in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        refresh(path, binary)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The README stays a front page and every link in the documentation leads somewhere.

    docs_test.py SOURCE_ROOT

- README.md is under 300 lines and opens with the two commands, byte for byte;
- every relative link in README.md and docs/*.md names a file or directory that exists, and
  a '#anchor' into a Markdown file names one of its headings (GitHub's slugs);
- every docs/*.md page is linked from the README;
- every block that shows `$ build/sslfeatures diff ...` between two reference tables, whole
  (no "..." elision, no pipe), is what that command prints today (SSLFEATURES_BIN): the
  audit examples are the tool's output, not prose that can drift from it.
"""

import collections
import os
import re
import shlex
import subprocess
import sys
import unittest
from urllib.parse import unquote

ROOT = None  # set from argv in main

README_LIMIT = 300
OPENING = """\
# sslfeatures

On a fresh Debian 12 machine, as root, in this directory:

```sh
scripts/install-deps.sh && meson setup build && meson compile -C build && build/sslfeatures
meson test -C build --print-errorlogs
```
"""

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, blanks to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)  # keeps letters, digits, '_', '-', ' '
    return text.replace(" ", "-")


def anchors(path):
    """Every anchor GitHub gives the headings of a Markdown file, duplicates numbered."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    seen = collections.Counter()
    found = set()
    for _, line in prose_lines(text):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        found.add(base if seen[base] == 0 else f"{base}-{seen[base]}")
        seen[base] += 1
    return found


def links(path):
    """(line number, target) for every link in a Markdown file, code left out."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for number, line in prose_lines(text):
        m = REFERENCE_DEF.match(line)
        if m:
            yield number, m.group(1)
            continue
        for m in INLINE_LINK.finditer(CODE_SPAN.sub("``", line)):
            yield number, m.group(1)


def is_relative(target):
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) and not target.startswith("//")


def markdown_files():
    docs = os.path.join(ROOT, "docs")
    pages = sorted(os.path.join(docs, name) for name in os.listdir(docs) if name.endswith(".md"))
    return [os.path.join(ROOT, "README.md")] + pages


class DocsTest(unittest.TestCase):
    def readme(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            return f.read()

    def test_readme_is_a_front_page(self):
        lines = self.readme().count("\n")
        self.assertLess(lines, README_LIMIT,
                        f"README.md has {lines} lines; the reference belongs in docs/")

    def test_readme_opens_with_the_two_commands(self):
        self.assertTrue(self.readme().startswith(OPENING),
                        "README.md must open with the title and the two commands, byte for byte:\n"
                        + OPENING)

    def test_relative_links_lead_somewhere(self):
        broken = []
        for source in markdown_files():
            where = os.path.relpath(source, ROOT)
            for number, target in links(source):
                if not is_relative(target):
                    continue
                path_part, _, fragment = target.partition("#")
                path = (os.path.normpath(os.path.join(os.path.dirname(source), unquote(path_part)))
                        if path_part else source)
                if not os.path.exists(path):
                    broken.append(f"{where}:{number}: {target}: no such file")
                    continue
                if fragment and path.endswith(".md") and unquote(fragment) not in anchors(path):
                    broken.append(f"{where}:{number}: {target}: no heading with that anchor in "
                                  f"{os.path.relpath(path, ROOT)}")
        self.assertEqual(broken, [], "broken links:\n" + "\n".join(broken))

    def test_every_docs_page_is_linked_from_the_readme(self):
        readme = os.path.join(ROOT, "README.md")
        linked = set()
        for _, target in links(readme):
            if is_relative(target):
                path_part = target.partition("#")[0]
                if path_part:
                    linked.add(os.path.normpath(os.path.join(ROOT, unquote(path_part))))
        pages = [p for p in markdown_files() if p != readme]
        self.assertTrue(pages, "docs/ holds no page")
        missing = [os.path.relpath(p, ROOT) for p in pages if p not in linked]
        self.assertEqual(missing, [], "docs pages the README does not link: " + ", ".join(missing))


def between_tables(line):
    """`$ build/sslfeatures diff openssl-X openssl-Y ...`: output that depends on the tables only."""
    if not line.startswith("$ build/sslfeatures diff ") or "|" in line:
        return False
    words = shlex.split(line[2:])
    return len(words) >= 4 and all(re.fullmatch(r"openssl-[0-9][0-9a-z.]*", w) for w in words[2:4])


def shown_diffs():
    """(file, line, command, shown output) of every whole `diff` example between tables."""
    for source in markdown_files():
        block, start = None, 0
        with open(source, encoding="utf-8") as f:
            for number, line in enumerate(f.read().splitlines(), 1):
                if FENCE.match(line):
                    if block is None:
                        block, start = [], number
                        continue
                    if block and between_tables(block[0]):
                        command, shown = block[0][2:], block[1:]
                        if not any(line.strip() == "..." for line in shown):
                            yield os.path.relpath(source, ROOT), start, command, "\n".join(shown) + "\n"
                    block = None
                elif block is not None:
                    block.append(line)


class ShownOutputTest(unittest.TestCase):
    def test_diff_examples_are_the_tools_output(self):
        binary = os.environ.get("SSLFEATURES_BIN")
        if not binary:
            self.skipTest("SSLFEATURES_BIN is not set")
        examples = list(shown_diffs())
        self.assertGreaterEqual(len(examples), 2, "no whole diff example found in the docs")
        for where, line, command, shown in examples:
            argv = [binary] + shlex.split(command)[1:]
            out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
            # The Markdown block drops the blank line the report starts with.
            self.assertEqual(shown.strip("\n"), out.strip("\n"), f"{where}:{line}: `{command}` prints otherwise")


class SlugTest(unittest.TestCase):
    """The slug rule on headings of the kinds the pages use."""

    def test_github_slugs(self):
        self.assertEqual(slug("Secure defaults"), "secure-defaults")
        self.assertEqual(slug("The connection report (`--report`)"),
                         "the-connection-report---report")
        self.assertEqual(slug("Hardening: sanitizers, fuzzing, memcheck"),
                         "hardening-sanitizers-fuzzing-memcheck")
        self.assertEqual(slug("1.1.1w to 3.0.22: 88 changes in 12 sections"),
                         "111w-to-3022-88-changes-in-12-sections")
        self.assertEqual(slug("The table, and why it is complete"),
                         "the-table-and-why-it-is-complete")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: docs_test.py SOURCE_ROOT [unittest arguments]")
    ROOT = os.path.abspath(sys.argv.pop(1))
    unittest.main()

#!/usr/bin/env python3
"""The generated sslfeatures(1) and bash completion against the binary's live --help.

    manpage_test.py ManPageTest|CompletionTest

Environment: SSLFEATURES_BIN, SF_TEST_MANPAGE, SF_TEST_COMPLETION.

The help output is read here on its own terms, with none of the generator's
parsing: if the generator misreads a help line, the two readings disagree.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

BINARY = os.environ["SSLFEATURES_BIN"]
PAGE = os.environ["SF_TEST_MANPAGE"]
COMPLETION = os.environ["SF_TEST_COMPLETION"]


def live_help(*command):
    return subprocess.run([BINARY, *command, "--help"], capture_output=True, text=True,
                          check=True).stdout


def commands():
    """The words listed under 'Subcommands:' in the top-level help."""
    block = live_help().split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    return [re.match(r"\s+(\S+)", line).group(1) for line in block.splitlines()]


def option_names(help_text):
    """Every -x and --long named on a help line that starts with blanks and '-'."""
    names = []
    for line in help_text.splitlines():
        m = re.match(r"\s+(-\S+)", line)
        if m:
            names += m.group(1).split(",")
    return names


def plain(roff):
    """The roff escapes the page uses, undone, so names compare as typed."""
    roff = re.sub(r"\\f[BIRP]", "", roff)
    for escape, char in (("\\-", "-"), ("\\(aq", "'"), ("\\(ga", "`"), ("\\&", ""), ("\\e", "\\")):
        roff = roff.replace(escape, char)
    return roff


def sections(page, request):
    """{heading: [lines]} for each '.SH' or '.SS' heading."""
    found, current = {}, None
    for line in page.splitlines():
        if line.startswith((".SH ", ".SS ")):
            current = line.split(" ", 1)[1].strip('"') if line.startswith(request + " ") else None
            if current:
                found[current] = []
        elif current:
            found[current].append(line)
    return found


def tags(lines):
    """The tag lines of the .TP paragraphs: where options and codes are named."""
    return [plain(lines[i + 1]) for i, line in enumerate(lines[:-1]) if line == ".TP"]


class ManPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(PAGE, encoding="ascii") as f:
            cls.page = f.read()
        cls.subsections = sections(cls.page, ".SS")
        cls.top = sections(cls.page, ".SH")

    def test_every_command_has_a_section_with_its_summary(self):
        summaries = live_help().split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
        for line in summaries.splitlines():
            name, summary = line.strip().split(None, 1)
            with self.subTest(command=name):
                self.assertIn(name, self.subsections)
                # The page sets `word` in bold rather than in backquotes.
                self.assertIn(summary.replace("`", ""), plain("\n".join(self.subsections[name])))

    def test_every_option_of_every_command_is_a_tag_in_its_section(self):
        for command in commands():
            tagged = " ".join(tags(self.subsections.get(command, [])))
            for name in option_names(live_help(command)):
                with self.subTest(command=command, option=name):
                    self.assertRegex(tagged, rf"(?<![\w-]){re.escape(name)}(?![\w-])")

    def test_every_positional_is_a_tag_in_its_section(self):
        for command in commands():
            block = live_help(command).partition("Positionals:\n")[2].split("\n\n", 1)[0]
            tagged = " ".join(tags(self.subsections.get(command, [])))
            for name in re.findall(r"^  (\w+) ", block, re.M):
                with self.subTest(command=command, positional=name):
                    self.assertRegex(tagged, rf"(?<![\w-]){name}\b")

    def test_global_options_are_in_options(self):
        tagged = " ".join(tags(self.top["OPTIONS"]))
        for name in option_names(live_help().split("Subcommands:")[0]):
            with self.subTest(option=name):
                self.assertRegex(tagged, rf"(?<![\w-]){re.escape(name)}(?![\w-])")

    def test_exit_status_lists_every_code(self):
        footer = live_help().split("Exit codes:", 1)[1]
        codes = {int(c) for c in re.findall(r"(?:^|[;:,])\s*(\d+) ", footer)}
        # The codes the tool documents today; the footer must still list them.
        self.assertLessEqual({0, 1, 2, 3, *range(10, 24)}, codes)
        listed = {int(m.group(1)) for t in tags(self.top["EXIT STATUS"])
                  if (m := re.fullmatch(r"\.B (\d+)", t))}
        self.assertEqual(codes, listed)

    def test_sections_are_there(self):
        for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS",
                     "ENVIRONMENT", "FILES", "SEE ALSO"):
            self.assertIn(name, self.top)
        self.assertIn("OPENSSL_CONF", plain("\n".join(self.top["ENVIRONMENT"])))
        self.assertRegex(plain("\n".join(self.top["FILES"])), r"/sslfeatures/tables\b")

    def test_groff_renders_it_without_a_warning(self):
        groff = shutil.which("groff")
        if not groff:
            self.skipTest("groff is not installed (Debian: groff-base)")
        done = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", PAGE],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, "")


class CompletionTest(unittest.TestCase):
    def complete(self, *words, cwd=None):
        """COMPREPLY for the command line `words`, completing its last word,
        from the installed-style script sourced in a non-interactive bash."""
        script = (
            'source "$1"; shift\n'
            # The function the script registered, as bash itself would find it.
            'fn=$(complete -p sslfeatures | sed -n "s/.*-F \\([^ ]*\\).*/\\1/p")\n'
            'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
            '"$fn"; printf "%s\\n" "${COMPREPLY[@]}"\n')
        done = subprocess.run(["bash", "-c", script, "bash", COMPLETION, "sslfeatures", *words],
                              capture_output=True, text=True, cwd=cwd)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, "")
        return sorted(filter(None, done.stdout.split("\n")))

    def test_commands(self):
        self.assertEqual(self.complete("d"), ["defaults", "diff"])
        self.assertEqual(self.complete(""), sorted(commands()))

    def test_options(self):
        self.assertEqual(self.complete("bench", "--pro"), ["--protocol"])
        for command in commands():
            with self.subTest(command=command):
                self.assertEqual(self.complete(command, "-"),
                                 sorted(set(option_names(live_help(command)))))

    def test_files_and_directories(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "sub"))
            open(os.path.join(tmp, "snap.json"), "w").close()
            # FILE (a file name) and DIR (directories only), from the help's own words.
            self.assertEqual(self.complete("features", "-o", "s", cwd=tmp), ["snap.json", "sub"])
            self.assertEqual(self.complete("pki", "s", cwd=tmp), ["sub"])
            # diff's second positional too, past an option and its value.
            self.assertEqual(self.complete("diff", "-f", "json", "old.json", "s", cwd=tmp),
                             ["snap.json", "sub"])
            # A checked value (a format) offers no file names.
            self.assertEqual(self.complete("diff", "-f", "", cwd=tmp), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)

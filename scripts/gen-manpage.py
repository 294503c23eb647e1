#!/usr/bin/env python3
"""Writes sslfeatures(1), or its bash completion, from the built binary's --help.

    gen-manpage.py --binary BUILD/sslfeatures --tables-dir DIR --output sslfeatures.1
    gen-manpage.py --binary BUILD/sslfeatures --completion --output sslfeatures

The help output is the one source of truth: every command, option, help text
and exit code on the page is read from it, never retyped here. Only the prose
that --help has no room for (the DESCRIPTION's second paragraph, ENVIRONMENT,
FILES, SEE ALSO) is written below. Python 3 standard library only.
"""

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field


# ---------------------------------------------------------------------------
# Reading CLI11's help output.
#
#   Description line
#   Usage: sslfeatures client [OPTIONS] host port
#
#   Options:
#     -p,--protocol TEXT:PROTOCOL Speak exactly this version: ...
#     --idle-timeout FLOAT:SECONDS
#                                 Seconds a connected client may stay silent
#
#   Footer paragraphs (one of them "Exit codes: ...")
#
# CLI11 pads the left column to a fixed width and starts the help text there;
# a name too wide for the column gets the text on the next line instead.

@dataclass
class Entry:
    names: list   # ["-p", "--protocol"], ["host"] or ["client"]
    label: str    # what CLI11 prints after the names: "TEXT:PROTOCOL", "INT REQUIRED"
    text: str     # the help text


@dataclass
class Help:
    description: str
    usage: str                                   # "sslfeatures client [OPTIONS] host port"
    sections: dict = field(default_factory=dict)  # "Options" -> [Entry]
    notes: list = field(default_factory=list)     # footer paragraphs but the exit codes
    exit_codes: str = ""


def run_help(binary, *command):
    done = subprocess.run([binary, *command, "--help"], capture_output=True, text=True, check=True)
    return done.stdout


def text_column(lines):
    """Where help texts start: measured on the -h,--help line every help has."""
    for line in lines:
        m = re.match(r"(\s+-h,--help\s+)\S", line)
        if m:
            return len(m.group(1))
    raise SystemExit("gen-manpage: no -h,--help line to measure the help column on")


def parse_entries(lines, column):
    entries = []
    i = 0
    while i < len(lines):
        line = lines[i]
        follows = i + 1 < len(lines) and lines[i + 1].startswith(" " * column)
        if follows:
            # The name overflowed the column: the whole line is the name part.
            # (Our help texts are one line each, so a continuation line means
            # an overflow, not a second line of text.)
            left, text = line.strip(), lines[i + 1].strip()
            i += 2
        else:
            left, text = line[:column].strip(), line[column:].strip()
            i += 1
        first, _, label = left.partition(" ")
        entries.append(Entry(first.split(","), label.strip(), text))
    return entries


def parse_help(output):
    lines = output.splitlines()
    column = text_column(lines)
    blocks, block = [], []
    for line in lines + [""]:
        if line.strip():
            block.append(line)
        elif block:
            blocks.append(block)
            block = []
    head = blocks[0]
    if not head[-1].startswith("Usage: "):
        raise SystemExit(f"gen-manpage: no usage line in: {head}")
    help_ = Help(" ".join(head[:-1]), head[-1][len("Usage: "):])
    for block in blocks[1:]:
        title = re.fullmatch(r"(\w[\w ]*):", block[0])
        if title and all(line.startswith("  ") for line in block[1:]):
            help_.sections[title.group(1)] = parse_entries(block[1:], column)
        elif block[0].startswith("Exit codes:"):
            help_.exit_codes = " ".join(block)
        else:
            help_.notes.append(" ".join(line.strip() for line in block))
    return help_


def parse_exit_codes(footer):
    """'Exit codes: 0 ok; 1 ...; TLS connections: 10 refused, 11 ...' ->
    [(group or None, code, meaning)], failing on any piece it cannot read."""
    body = footer[len("Exit codes:"):].strip().rstrip(".")
    codes = []
    for part in body.split(";"):
        m = re.fullmatch(r"\s*(?:([A-Za-z][^:\d]*):)?\s*(.*)", part)
        group, items = m.group(1), m.group(2)
        for item in items.split(","):
            code = re.fullmatch(r"\s*(\d+)\s+(.+?)\s*", item)
            if not code:
                raise SystemExit(f"gen-manpage: cannot read exit code {item!r} in {footer!r}")
            codes.append((group, int(code.group(1)), code.group(2)))
    return codes


# ---------------------------------------------------------------------------
# Writing roff.

def esc(text):
    """Help text as roff text. Backslashes are roff's escape character, and a
    plain '-' or "'" may print as a typographic hyphen or quote that cannot be
    pasted into a shell: the help text is full of things to type (--report,
    rsa-2048, '' for every interface), so both stay ASCII. `word` becomes bold."""
    text = text.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq")
    text = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text).replace("`", "\\(ga")
    # ASCII source: groff reads Latin-1 unless preconv runs first.
    return "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)


def line(text):
    """A text line: one starting with '.' or "'" would be read as a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def usage_line(usage, words):
    """'sslfeatures pki [OPTIONS] DIR': the command words bold, arguments italic."""
    parts = usage.split()
    command, arguments = " ".join(parts[:words]), " ".join(parts[words:])
    arguments = re.sub(r"[^\s\[\]]+", lambda m: f"\\fI{esc(m.group(0))}\\fR", arguments)
    return line(f"\\fB{esc(command)}\\fR {arguments}".rstrip())


def takes_value(label):
    """CLI11 prints a type (TEXT, TEXT:FILE, INT:INT in [1 - 256]) only for an
    option that takes a value; a flag's label is empty or "Excludes: ..."."""
    return re.match(r"[A-Z][A-Z0-9_]*(:|\s|$)", label) is not None


def entry_tag(entry, positional):
    font = "I" if positional else "B"
    names = ", ".join(f"\\f{font}{esc(n)}\\fR" for n in entry.names)
    if not takes_value(entry.label):
        return line(f"{names} {esc(entry.label)}".rstrip())
    # The type in italics, what follows it (REQUIRED, ranges, Excludes) as is.
    kind, _, rest = entry.label.partition(" ")
    return line(f"{names} \\fI{esc(kind)}\\fR {esc(rest)}".rstrip())


def entries(out, help_, section, positional=False):
    for entry in help_.sections.get(section, []):
        out += [".TP", entry_tag(entry, positional), line(esc(entry.text))]


# Prose the help output has no room for. Written once, here.
ABOUT = [
    "It prints the constants of the OpenSSL it is built against and runs with, "
    "grouped as features.py does in chapter 6 of Foundations of Python Network "
    "Programming, with whether each feature is available; runs a TLS client and "
    "server with secure defaults that report what a connection negotiated; makes "
    "a test PKI; prints the secure defaults its contexts and the library choose; "
    "writes snapshots of all of this and diffs two of them (or a snapshot and "
    "the running library, or a shipped reference table) to audit an OpenSSL "
    "upgrade; and measures handshakes per second.",
    "Without a command, \\fBsslfeatures\\fR runs \\fBfeatures\\fR.",
]

ENVIRONMENT = [
    ".TP", ".B OPENSSL_CONF",
    "The OpenSSL configuration file the library reads at start-up, instead of "
    "the \\fIopenssl.cnf\\fR in OpenSSL's directory (\\fBopenssl version \\-d\\fR). "
    "\\fBsslfeatures\\fR honours its \\fBsystem_default\\fR policy: a higher "
    "\\fBMinProtocol\\fR or security level there is kept by the client and "
    "server contexts, a lower one does not lower theirs, and its "
    "\\fBMaxProtocol\\fR stands. Only the command line lowers them "
    "(\\fB\\-p\\fR, or \\fB@SECLEVEL=\\fR\\fIN\\fR in \\fB\\-\\-cipher\\fR).",
]

SEE_ALSO = ("openssl(1), s_client(1ssl), s_server(1ssl), ciphers(1ssl), "
            "SSL_CTX_set_security_level(3ssl)")


def manpage(binary, tables_dir):
    top = parse_help(run_help(binary))
    commands = [e.names[0] for e in top.sections["Subcommands"]]
    subs = {name: parse_help(run_help(binary, name)) for name in commands}
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             check=True).stdout.split()[:2]   # "sslfeatures 0.1.0"
    name = top.description.rstrip(".")
    out = [
        '.\\" Generated by scripts/gen-manpage.py from `sslfeatures --help`: do not edit.',
        f'.TH SSLFEATURES 1 "" "{esc(" ".join(version))}" "User Commands"',
        # No hyphenation, ragged right: names like SSL_CTX_set_security_level
        # and option lists stay whole and readable.
        ".nh",
        ".ad l",
        ".SH NAME",
        f"sslfeatures \\- {esc(name[:1].lower() + name[1:])}",
        ".SH SYNOPSIS",
        ".nf",
        usage_line(top.usage, 1),
        *(usage_line(subs[c].usage, 2) for c in commands),
        ".fi",
        ".SH DESCRIPTION",
        line(esc(top.description)),
    ]
    for paragraph in ABOUT:
        out += [".PP", paragraph]
    out += [".SH OPTIONS"]
    entries(out, top, "Options")
    out += [".SH COMMANDS"]
    for entry in top.sections["Subcommands"]:
        sub = subs[entry.names[0]]
        out += [f".SS {entry.names[0]}", line(esc(sub.description)), ".PP", usage_line(sub.usage, 2)]
        entries(out, sub, "Positionals", positional=True)
        entries(out, sub, "Options")
        for note in sub.notes:
            out += [".PP", line(esc(note))]
    out += [".SH EXIT STATUS", ".PD 0"]   # one line per code, no blank between
    group = None
    for code_group, code, meaning in parse_exit_codes(top.exit_codes):
        if code_group != group:
            group = code_group
            out += [".PP", line(esc(group + ":"))]
        out += [".TP", f".B {code}", line(esc(meaning))]
    out += [".PD"]
    out += [".SH ENVIRONMENT", *ENVIRONMENT]
    out += [".SH FILES", ".TP", line(f"\\fI{esc(tables_dir)}\\fR"),
            "The reference tables that \\fBdiff\\fR accepts by name: portable snapshots "
            "of released OpenSSL versions, one \\fIopenssl\\-VERSION.json\\fR each. "
            "A file of the same name in the current directory wins."]
    out += [".SH SEE ALSO", SEE_ALSO]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Bash completion: the same help output, as word lists per command.

def value_kind(name, label):
    """How to complete a value: f(iles), d(irectories) or n(othing)."""
    words = [name, *re.split(r"[\s:]", label)]
    if "DIR" in words:
        return "d"
    if "FILE" in words:
        return "f"
    if label.split()[0] == "TEXT":
        return "f"   # free text: bash's own default, file names
    return "n"       # numbers and checked choices (TEXT:FORMAT, INT)


COMPLETION = r'''# bash completion for sslfeatures(1)
# Generated by scripts/gen-manpage.py from `sslfeatures --help`: do not edit.
_sslfeatures() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd= opts= files= dirs= none= pos= kind i n=0 word
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in @COMMANDS@) cmd=${COMP_WORDS[i]}; break ;; esac
    done
    # Per command: all options; those taking a file, a directory or another
    # value; the positionals' kinds in order (f, d or n).
    case $cmd in
@CASES@
    esac
    COMPREPLY=()
    if [[ " $files " == *" $prev "* ]]; then kind=f
    elif [[ " $dirs " == *" $prev "* ]]; then kind=d
    elif [[ " $none " == *" $prev "* ]]; then return
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur"); return
    elif [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W "@COMMANDS_WORDS@" -- "$cur"); return
    else
        # Which positional this is: count the words after the command that are
        # neither options nor their values.
        for ((i++; i < COMP_CWORD; i++)); do
            word=${COMP_WORDS[i]}
            if [[ $word == -* ]]; then
                [[ " $files $dirs $none " == *" $word "* ]] && ((i++))
            else
                ((n++))
            fi
        done
        pos=($pos); kind=${pos[n]:-n}
    fi
    case $kind in
        f) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        d) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    esac
}
complete -o filenames -F _sslfeatures sslfeatures
'''


def completion(binary):
    top = parse_help(run_help(binary))
    commands = [e.names[0] for e in top.sections["Subcommands"]]
    cases = []
    for command, help_ in [("''", top)] + [(c, parse_help(run_help(binary, c))) for c in commands]:
        options = help_.sections.get("Options", [])
        kinds = {"f": [], "d": [], "n": []}
        for option in options:
            if takes_value(option.label):
                kinds[value_kind(option.names[-1], option.label)] += option.names
        pos = [value_kind(p.names[0], p.label) for p in help_.sections.get("Positionals", [])]
        cases.append(
            f"        {command}) opts=\"{' '.join(n for o in options for n in o.names)}\"\n"
            f"            files=\"{' '.join(kinds['f'])}\" dirs=\"{' '.join(kinds['d'])}\""
            f" none=\"{' '.join(kinds['n'])}\" pos=\"{' '.join(pos)}\" ;;")
    return (COMPLETION.replace("@CASES@", "\n".join(cases))
            .replace("@COMMANDS@", "|".join(commands))
            .replace("@COMMANDS_WORDS@", " ".join(commands)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the sslfeatures executable to ask")
    parser.add_argument("--output", required=True)
    parser.add_argument("--tables-dir", default="/usr/local/share/sslfeatures/tables",
                        help="where the reference tables are installed (FILES)")
    parser.add_argument("--completion", action="store_true",
                        help="write the bash completion instead of the man page")
    args = parser.parse_args()
    text = completion(args.binary) if args.completion else manpage(args.binary, args.tables_dir)
    with open(args.output, "w", encoding="ascii") as out:
        out.write(text)


if __name__ == "__main__":
    sys.exit(main())

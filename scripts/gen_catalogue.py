#!/usr/bin/env python3
"""Generate the constants catalogue from the OpenSSL headers being compiled against.

The build runs this script; nobody edits its output. It works in three steps:

1. Ask the compiler for every macro the headers define (`-dM -E`), so the set of
   names is whatever these headers have, with no list kept by hand.
2. Keep the object-like macros that a category rule in tables/categories.toml
   selects.
3. Let the compiler judge which of them are integer constant expressions: a probe
   file with one `static_cast` per line is compiled with -fsyntax-only, and any
   line the compiler rejects (a string, a function call) drops that macro. The
   dropped names are reported on stderr so they show in the build log.

The output is a C++ file whose tables hold each name with its value written as
the macro itself, so the values come from the compiler, never from this script.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field

KINDS = ("constants", "probes", "info")
DEFINE = re.compile(r"^#define ([A-Za-z_][A-Za-z0-9_]*)(\(?)(.*)$")
MAX_PROBE_ROUNDS = 8


class GenError(Exception):
    """A problem worth one clear line in the build log."""


@dataclass
class Category:
    id: str
    title: str
    kind: str
    default: bool
    bits: bool = False
    include: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def selects(self, name: str) -> bool:
        return any(p.fullmatch(name) for p in self.include) and not any(
            p.fullmatch(name) for p in self.exclude
        )


def load_rules(path: str) -> list[Category]:
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GenError(f"{path}: cannot read category rules: {e}") from e

    categories: list[Category] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc.get("category", [])):
        where = f"{path}: category #{i + 1}"
        cid = raw.get("id")
        if not isinstance(cid, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", cid):
            raise GenError(f"{where}: 'id' must be a lower-case identifier")
        if cid in seen:
            raise GenError(f"{where}: duplicate id '{cid}'")
        seen.add(cid)
        kind = raw.get("kind", "constants")
        if kind not in KINDS:
            raise GenError(f"{where} ({cid}): kind must be one of {', '.join(KINDS)}")

        def patterns(key: str) -> list[re.Pattern]:
            out = []
            for text in raw.get(key, []):
                try:
                    out.append(re.compile(text))
                except re.error as e:
                    raise GenError(f"{where} ({cid}): bad {key} pattern {text!r}: {e}") from e
            return out

        cat = Category(
            id=cid,
            title=str(raw.get("title", cid)),
            kind=kind,
            default=bool(raw.get("default", False)),
            bits=bool(raw.get("bits", False)),
            include=patterns("include"),
            exclude=patterns("exclude"),
        )
        if kind == "constants" and not cat.include:
            raise GenError(f"{where} ({cid}): a constants category needs 'include' patterns")
        categories.append(cat)
    if not categories:
        raise GenError(f"{path}: no [[category]] tables")
    return categories


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise GenError(f"cannot run {cmd[0]}: {e}") from e


def macro_dump(cxx: list[str], flags: list[str], headers: str, depfile: str | None,
               target: str) -> dict[str, str]:
    """Object-like macros the headers define, name -> body."""
    cmd = cxx + flags + ["-x", "c++", "-dM", "-E", headers]
    if depfile:
        cmd += ["-MD", "-MF", depfile, "-MT", target]
    proc = run(cmd)
    if proc.returncode != 0:
        raise GenError("the preprocessor failed on the OpenSSL headers "
                       f"(are they installed?):\n{proc.stderr.strip()}")
    macros: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        m = DEFINE.match(line)
        if m and not m.group(2):  # skip function-like macros
            body = m.group(3).strip()
            if body:
                macros[m.group(1)] = body
    return macros


def integer_constants(cxx: list[str], flags: list[str], headers: str,
                      names: list[str]) -> tuple[list[str], list[str]]:
    """Split names into (integer constant expressions, the rest), by asking the compiler."""
    keep = list(names)
    dropped: list[str] = []
    for _ in range(MAX_PROBE_ROUNDS):
        if not keep:
            break
        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, "probe.cpp")
            lines = [f'#include "{os.path.abspath(headers)}"']
            first = len(lines) + 1
            lines += [f"constexpr auto sf_probe_{i} = static_cast<unsigned long long>(({n}));"
                      for i, n in enumerate(keep)]
            with open(probe, "w") as f:
                f.write("\n".join(lines) + "\n")
            proc = run(cxx + flags + ["-w", "-fsyntax-only", "-fmax-errors=0", probe])
        if proc.returncode == 0:
            return keep, dropped
        bad_lines = {int(m.group(1)) for m in
                     re.finditer(r"probe\.cpp:(\d+):\d+: (?:fatal )?error", proc.stderr)}
        bad = {keep[line - first] for line in bad_lines if 0 <= line - first < len(keep)}
        if not bad:
            raise GenError("the probe compile failed for a reason not tied to one macro:\n"
                           + proc.stderr.strip()[:4000])
        dropped += sorted(bad)
        keep = [n for n in keep if n not in bad]
    raise GenError("the probe compile kept failing; giving up")


def cxx_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(categories: list[Category], out_path: str) -> None:
    out = [
        "// Generated by scripts/gen_catalogue.py from tables/categories.toml",
        "// and the OpenSSL headers of this build. Do not edit.",
        '#include "reflect/catalogue.hpp"',
        '#include "reflect/openssl_headers.hpp"',
        "",
        "#include <array>",
        "",
        "namespace sslfeatures::reflect {",
        "namespace {",
        "",
    ]
    for cat in categories:
        out.append(f"constexpr std::array<Constant, {len(cat.names)}> k_{cat.id}{{{{")
        out += [f"    {{{cxx_string(n)}, value_of({n})}}," for n in cat.names]
        out += ["}};", ""]
    out.append(f"constexpr std::array<CategoryRule, {len(categories)}> k_rules{{{{")
    for cat in categories:
        out.append(
            f"    {{{cxx_string(cat.id)}, {cxx_string(cat.title)}, CategoryKind::{cat.kind}, "
            f"{'true' if cat.default else 'false'}, {'true' if cat.bits else 'false'}, "
            f"k_{cat.id}}},")
    out += [
        "}};",
        "",
        "}  // namespace",
        "",
        "std::span<const CategoryRule> category_rules() { return k_rules; }",
        "",
        "}  // namespace sslfeatures::reflect",
    ]
    text = "\n".join(out) + "\n"
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, out_path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", required=True, help="tables/categories.toml")
    ap.add_argument("--headers", required=True, help="the header that includes OpenSSL's")
    ap.add_argument("--output", required=True)
    ap.add_argument("--depfile")
    ap.add_argument("--std", default="c++20")
    ap.add_argument("--cxx", required=True, help="the C++ compiler command, shell-quoted")
    ap.add_argument("--cflag", action="append", default=[],
                    help="a flag for OpenSSL's headers, e.g. --cflag=-I/prefix/include")
    args = ap.parse_args()

    cxx = shlex.split(args.cxx)
    flags = [f"-std={args.std}"] + args.cflag
    try:
        categories = load_rules(args.rules)
        macros = macro_dump(cxx, flags, args.headers, args.depfile, args.output)
        wanted = sorted({n for n in macros for c in categories
                         if c.kind == "constants" and c.selects(n)})
        good, dropped = integer_constants(cxx, flags, args.headers, wanted)
        good_set = set(good)
        for cat in categories:
            if cat.kind == "constants":
                cat.names = sorted(n for n in macros if n in good_set and cat.selects(n))
        emit(categories, args.output)
    except GenError as e:
        print(f"gen_catalogue: error: {e}", file=sys.stderr)
        return 1
    if dropped:
        print(f"gen_catalogue: left out {len(dropped)} macro(s) that are not integer "
              f"constants: {', '.join(dropped)}", file=sys.stderr)
    total = sum(len(c.names) for c in categories)
    print(f"gen_catalogue: {total} constants in "
          f"{sum(c.kind == 'constants' for c in categories)} categories", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

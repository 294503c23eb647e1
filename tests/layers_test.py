#!/usr/bin/env python3
"""The layering rule, held against the code.

docs/source-layout.md's "Layers" table gives each directory under src/ (and
main.cpp) a layer number. Every #include "DIR/..." of a file under src/ must
name a directory of the file's own layer or a lower one. A directory under
src/ that the table does not list fails too, so the table stays whole.

Usage: layers_test.py SOURCE_ROOT
"""
import pathlib
import re
import sys


def layer_table(doc):
    """{'util': 1, ..., 'main.cpp': 8} from the table's rows."""
    layers = {}
    for line in doc.splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|", line)
        if m:
            layers[m.group(2)] = int(m.group(1))
    return layers


def home(path, src):
    """The table's name for the layer a file is in: its directory, or main.cpp."""
    return path.relative_to(src).parts[0]


def main():
    root = pathlib.Path(sys.argv[1])
    src = root / "src"
    layers = layer_table((root / "docs" / "source-layout.md").read_text())
    problems = []
    if not layers:
        problems.append("docs/source-layout.md: no layers table found")
    for directory in sorted(p.name for p in src.iterdir() if p.is_dir()):
        if directory not in layers:
            problems.append(f"src/{directory}/ is in no layer of docs/source-layout.md")
    include = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".cpp", ".hpp") or not path.is_file():
            continue
        own = layers.get(home(path, src))
        if own is None:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = include.match(line)
            if not m or m.group(1) not in layers:
                continue
            if layers[m.group(1)] > own:
                problems.append(f"{path.relative_to(root)}:{number}: includes {m.group(1)}/ "
                                f"(layer {layers[m.group(1)]}) from layer {own}")
    for problem in problems:
        print(problem)
    print(f"layers: {len(layers)} layers, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generate single_include/sigv4kit/sigv4kit.hpp from include/sigv4kit/sigv4kit.hpp.

Every `#include <sigv4kit/...>` is replaced by the file it names, the first time it is
met (include guards make later ones no-ops anyway); everything else is copied as it is.
The output depends only on the input files, so running it twice gives the same bytes.

    python3 tools/amalgamate.py            # write the single header
    python3 tools/amalgamate.py --check    # exit 1 if the committed one is stale
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include"
OUTPUT = ROOT / "single_include" / "sigv4kit" / "sigv4kit.hpp"
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*<(sigv4kit/[^>]+)>\s*$')

BANNER = """\
// sigv4kit - AWS Signature Version 4 for C++17, as one header.
//
// GENERATED FILE - DO NOT EDIT. It is made from include/sigv4kit/ by
// tools/amalgamate.py; edit those headers and run `python3 tools/amalgamate.py`.
"""


def inline(rel, seen, out):
    if rel in seen:
        return
    seen.add(rel)
    path = INCLUDE / rel
    if not path.is_file():
        sys.exit(f"amalgamate: {rel} is included but does not exist under include/")
    out.append(f"// ---- begin {rel} ----\n")
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        m = INCLUDE_RE.match(line)
        if m:
            inline(m.group(1), seen, out)
        else:
            out.append(line if line.endswith("\n") else line + "\n")
    out.append(f"// ---- end {rel} ----\n")


def generate():
    out = [BANNER]
    inline("sigv4kit/sigv4kit.hpp", set(), out)
    return "".join(out)


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run `python3 tools/amalgamate.py` and commit it",
                  file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

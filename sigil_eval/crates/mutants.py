"""Wrong and differently shaped versions of a crate's solution, for the differential proofs (tests, `bench/`):
each a small change a model's answer could make — an operator or a number off by one, a line or a tail missing
(most do not compile), the whole file wrapped in a chat answer's markdown and prose."""

from __future__ import annotations

import random
import re

from sigil_eval.program.rust_lexer import code_mask

_OPERATORS = (("+", "-"), ("<", ">"), ("==", "!="), ("true", "false"))


def crate_mutants(source: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, answer) pairs derived from `source`, a solution file."""
    mask = code_mask(source)
    lines = source.splitlines(keepends=True)
    code_lines = [i for i, line in enumerate(lines) if line.strip() and not line.strip().startswith("//")]
    dropped = rng.choice(code_lines) if code_lines else 0
    out = [
        ("line_dropped", "".join(lines[:dropped] + lines[dropped + 1 :])),
        ("truncated", source[: rng.randrange(1, max(2, len(source)))]),
        ("markdown", f"Here is the solution:\n\n```rust\n{source}```\n\nIt handles every case."),
    ]
    for old, new in _OPERATORS:
        found = [m.start() for m in re.finditer(re.escape(old), mask)]
        if found:
            at = rng.choice(found)
            out.append(("operator", source[:at] + new + source[at + len(old) :]))
            break
    digits = [m.start() for m in re.finditer(r"(?<![\w.])[0-9](?![\w.])", mask)]
    if digits:
        at = rng.choice(digits)
        out.append(("off_by_one", source[:at] + str((int(source[at]) + 1) % 10) + source[at + 1 :]))
    return out

"""Everything besides the sample that can change a verdict, named once: the verdict store keys on it, and a
journal only resumes a run whose settings are the same.

The judging code is part of it: a digest of sigil-eval's own source files, so that verdicts of an older (or
locally patched) evaluator are never served after an upgrade.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from sigil_eval.options import EvalOptions

PACKAGE_ROOT = Path(__file__).parents[1]
_CODE_SUFFIXES = (".py", ".rs")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 (16 hex digits) over every .py and .rs file of the installed package, by relative path."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def verdict_settings(toolchain_version: str, sandbox: str, options: EvalOptions) -> dict[str, Any]:
    """The run-wide inputs of every verdict (the problem and the program are per sample)."""
    return {
        "evaluator": code_digest(),
        "toolchain": toolchain_version,
        "sandbox": sandbox,
        "mode": options.mode,
        "clippy": options.clippy,
        "compile_budget": options.compile_budget,
        "run_budget": options.run_budget,
        "compile_memory": options.compile_memory,
        "run_memory": options.run_memory,
        "run_processes": options.run_processes,
        "output_cap": options.output_cap,
        "policy": options.policy,
        "prelude": options.prelude,
    }

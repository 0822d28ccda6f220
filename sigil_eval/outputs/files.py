"""Writing a file so that a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` beside `path`, then rename it over `path` (creating the directory). Raises OSError."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def beside(results: Path, suffix: str) -> Path:
    """A file that belongs to a results file: `x_results.jsonl` → `x_results<suffix>`."""
    return results.with_name(results.name.removesuffix(".jsonl") + suffix)


REJECTIONS_SUFFIX = "_rejects.jsonl"
SUMMARY_SUFFIX = "_report.json"  # the run's Report as JSON: its settings (toolchain, set, sandbox) and numbers

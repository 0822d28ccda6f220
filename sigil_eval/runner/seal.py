"""Seal a job dir before its binary runs: the sample must not read the source it was built from (its tests
hold the expected values) nor the binary itself (the same values, compiled in).

Everything but the binary leaves the dir (deleted, or moved beside it with `keep_scratch`: the run's jail
shows only the job dir), and the binary and the dir become execute-only for other uids: the dir cannot be
listed, the binary not read. Test binaries run under a uid of their own when the evaluator is root; exec of
an unreadable binary also makes the process non-dumpable, which closes `/proc/self/mem` to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

EXECUTE_ONLY = 0o711


def seal_job_dir(job_dir: Path, binary_name: str, *, keep_sources: bool) -> Path:
    """Returns the binary's path."""
    kept = job_dir.with_name(job_dir.name + "-sources")
    for entry in job_dir.iterdir():
        if entry.name == binary_name:
            continue
        if keep_sources:
            kept.mkdir(exist_ok=True)
            shutil.move(entry, kept / entry.name)
        elif entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    binary = job_dir / binary_name
    binary.chmod(EXECUTE_ONLY)
    job_dir.chmod(EXECUTE_ONLY)  # other uids may enter it, not list it
    return binary

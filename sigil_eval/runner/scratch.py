"""Scratch space of a run: one directory under the system temp dir, marked with the owning pid, so that a
later run can remove what a killed run (kill -9, power loss) left behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "sigil-eval-"
OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned(base: Path | None = None) -> int:
    """Delete scratch dirs whose owner process is gone; returns how many."""
    removed = 0
    for directory in Path(base or tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            pid = int((directory / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or still being created
        if not _alive(pid):
            shutil.rmtree(directory, ignore_errors=True)
            removed += 1
    return removed


def create_scratch() -> Path:
    remove_abandoned()
    scratch = Path(tempfile.mkdtemp(prefix=PREFIX))
    os.chmod(scratch, 0o711)  # test binaries run as other uids and must reach their job dirs
    (scratch / OWNER_FILE).write_text(str(os.getpid()))
    return scratch

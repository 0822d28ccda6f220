"""Tools found through links the jail cannot see: every tool on PATH is resolved before the jail starts, so a
machine whose rustc, prlimit, setpriv and firejail are links in a temporary `bin/` still judges."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import sigil_eval
from sigil_eval.runner.sandbox import find_tool

from ..helpers import RETURN_ONE, judge, requires_firejail

TOOLS = ("rustc", "cargo", "prlimit", "setpriv", "firejail")


def linked_bin(directory: Path) -> Path:
    """A `bin/` in a temporary directory (which the jail replaces) with a link to each tool."""
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        if found := shutil.which(tool):
            (bin_dir / tool).symlink_to(found)
    return bin_dir


@requires_firejail
def test_tools_linked_from_a_temporary_bin_still_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = linked_bin(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.delenv("RUSTC", raising=False)
    assert find_tool("prlimit") != str(bin_dir / "prlimit")
    samples = [{"task_id": "test_rust/0", "completion": c} for c in ("    1\n}\n", "    0\n}\n")]
    results = judge(samples, {"t": RETURN_ONE}, clippy="off", reuse_verdicts=False, workers=1)
    assert [r.passed for r in results] == [True, False]
    assert results[1].error_type == "assertion_failure"


def test_a_tool_that_lives_where_the_jail_hides_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real file (not a link) in /tmp cannot run in the jail: the run stops naming it, before any sample."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "prlimit"
    fake.write_text('#!/bin/sh\nexec /usr/bin/prlimit "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(sigil_eval.SandboxError, match=r"prlimit is /tmp/.*which the jail replaces"):
        find_tool("prlimit")

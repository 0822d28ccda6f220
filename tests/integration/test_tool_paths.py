"""Tools found through links the jail cannot see: a tool on PATH through a link in a temporary directory (which
the jail replaces) is resolved before the jail starts, so a machine whose rustc, prlimit, setpriv and firejail are
links in a temporary `bin/` still judges; a tool that is itself in such a directory stops the run, named."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import sigil_eval
from sigil_eval.tool_paths import find_tool

from ..helpers import RETURN_ONE, judge, requires_firejail

TOOLS = ("rustc", "cargo", "prlimit", "setpriv", "firejail")


@pytest.fixture
def temporary_bin() -> Iterator[Path]:
    """A `bin/` under /tmp, whatever TMPDIR says: the directory the jail replaces."""
    directory = Path(tempfile.mkdtemp(dir="/tmp"))
    (directory / "bin").mkdir()
    yield directory / "bin"
    shutil.rmtree(directory, ignore_errors=True)


@requires_firejail
def test_tools_linked_from_a_temporary_bin_still_judge(temporary_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for tool in TOOLS:
        if found := shutil.which(tool):
            (temporary_bin / tool).symlink_to(found)
    monkeypatch.setenv("PATH", f"{temporary_bin}:/usr/bin:/bin")
    monkeypatch.delenv("RUSTC", raising=False)
    prlimit = find_tool("prlimit", runs_in_jail=True)
    assert prlimit is not None and not prlimit.startswith("/tmp/")
    samples = [{"task_id": "test_rust/0", "completion": c} for c in ("    1\n}\n", "    0\n}\n")]
    results = judge(samples, {"t": RETURN_ONE}, clippy="off", reuse_verdicts=False, workers=1)
    assert [r.passed for r in results] == [True, False]
    assert results[1].error_type == "assertion_failure"


def test_a_tool_that_lives_where_the_jail_hides_is_named(temporary_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real file (not a link) in /tmp cannot run in the jail: the run stops naming it, before any sample; a tool
    that runs outside the jail may live there."""
    fake = temporary_bin / "prlimit"
    fake.write_text('#!/bin/sh\nexec /usr/bin/prlimit "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{temporary_bin}:/usr/bin:/bin")
    with pytest.raises(sigil_eval.SandboxError, match=r"prlimit is /tmp/.*which the jail replaces"):
        find_tool("prlimit", runs_in_jail=True)
    assert find_tool("prlimit") == str(fake)  # `--sandbox none`: no jail to hide it

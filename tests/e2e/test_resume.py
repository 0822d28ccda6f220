"""kill -9 and Ctrl-C mid-run: a rerun of the same command gives the uninterrupted run's results, with no
duplicates and nothing lost (the journal keeps every finished verdict)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import sigil_eval

from ..helpers import EXAMPLE_PROBLEMS, cli, requires_firejail, write_jsonl

pytestmark = requires_firejail
MEASURED = ("compile_time_ms", "run_time_ms")  # timings: the only fields two runs may differ in
KEY = tuple(name for name in sigil_eval.Result.__struct_fields__ if name not in MEASURED)
PASSED = KEY.index("passed")


def many_samples(count: int = 320) -> list[dict[str, object]]:
    """Distinct programs (the verdict store is off anyway): half right, half wrong."""
    rows = []
    for i in range(count):
        constant = i if i % 2 else 0
        rows.append({"task_id": "Example/0", "completion": f"    a + b + {constant} - {i % 7} + {i % 7}\n}}\n"})
    return rows


def command(samples: Path, out: Path) -> list[str]:
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    return [
        exe,
        str(samples),
        "--problems",
        str(EXAMPLE_PROBLEMS),
        "--out",
        str(out),
        "--no-reuse",
        "--batch-size",
        "20",  # small batches: the journal grows in small steps, so each kill point falls mid-run
        "--clippy",
        "off",
    ]


def finished(out: Path) -> list[tuple[object, ...]]:
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return [tuple(row[k] for k in KEY) for row in rows]


def scratch_of(pid: int) -> list[Path]:
    return [
        p
        for p in Path(tempfile.gettempdir()).glob("sigil-eval-*")
        if (p / "owner.pid").is_file() and (p / "owner.pid").read_text() == str(pid)
    ]


def journal_lines(out: Path) -> int:
    journal = Path(f"{out}.journal")
    return max(0, journal.read_bytes().count(b"\n") - 1) if journal.exists() else 0  # minus its settings line


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[object, ...]]]:
    tmp = tmp_path_factory.mktemp("reference")
    samples = write_jsonl(tmp / "samples.jsonl", many_samples())
    out = tmp / "results.jsonl"
    proc = subprocess.run(command(samples, out), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = finished(out)
    assert len(rows) == 320 and sum(bool(r[PASSED]) for r in rows) == 160
    return samples, rows


def interrupt_then_rerun(samples: Path, out: Path, sig: signal.Signals, after_lines: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        command(samples, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while journal_lines(out) < after_lines and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and everything it started
    else:
        proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc


@pytest.mark.parametrize("after_lines", [1, 100, 200])
def test_kill_9_then_rerun_equals_an_uninterrupted_run(
    reference: tuple[Path, list[tuple[object, ...]]], tmp_path: Path, after_lines: int
) -> None:
    samples, expected = reference
    out = tmp_path / "results.jsonl"
    killed = interrupt_then_rerun(samples, out, signal.SIGKILL, after_lines)
    assert not out.exists() and journal_lines(out) >= after_lines
    assert scratch_of(killed.pid), "the killed run's scratch dir should still be there"
    rerun = subprocess.run(command(samples, out), capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming from journal" in rerun.stderr
    assert finished(out) == expected
    assert not Path(f"{out}.journal").exists()
    assert not scratch_of(killed.pid), "the rerun should have removed the killed run's scratch dir"


def test_ctrl_c_stops_cleanly_and_keeps_finished_work(
    reference: tuple[Path, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    samples, expected = reference
    out = tmp_path / "results.jsonl"
    proc = interrupt_then_rerun(samples, out, signal.SIGINT, 40)
    assert proc.returncode == 130
    kept = journal_lines(out)
    assert kept >= 40
    rerun = cli(*command(samples, out)[1:])
    assert rerun.returncode == 0, rerun.stderr
    assert finished(out) == expected


def test_a_rerun_under_other_settings_judges_everything_again(
    reference: tuple[Path, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    """Verdicts judged under one timeout are not resumed under another: the journal is moved aside."""
    samples, expected = reference
    out = tmp_path / "results.jsonl"
    interrupt_then_rerun(samples, out, signal.SIGKILL, 100)
    rerun = cli(*command(samples, out)[1:], "--timeout", "7")
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming from journal" not in rerun.stderr
    assert "moved aside" in rerun.stderr and "compile_budget" in rerun.stderr
    assert Path(f"{out}.journal.stale").exists()
    assert finished(out) == expected

"""Infrastructure failing in the middle of a run: the run stops with exit code 3 and scores nothing (no
results file, no metrics), and the verdicts finished before the failure stay in the journal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sigil_eval
from sigil_eval.cargo_cache import default_cache_root
from sigil_eval.runner import sandbox
from sigil_eval.runner.batch import harness_run

from ..e2e.test_resume import journal_lines, many_samples
from ..helpers import EXAMPLE_PROBLEMS, RETURN_ONE, judge, requires_firejail, write_jsonl

pytestmark = requires_firejail


def test_the_crate_cache_breaking_mid_run_exits_3_and_scores_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(default_cache_root(), cache, ignore=shutil.ignore_patterns("problems", "sources", "*.lock"))
    for manifest in cache.glob("*/manifest.json"):  # the copy's own rlibs, not the shared cache's
        manifest.write_text(manifest.read_text().replace(str(default_cache_root()), str(cache)))
    # the samples use a crate of the cache: rustc loads an `--extern` crate only when the code names it
    rows = [
        row | {"completion": '    let _ = md5::compute(b"x");\n' + str(row["completion"])} for row in many_samples(1000)
    ]
    samples = write_jsonl(tmp_path / "samples.jsonl", rows)
    out = tmp_path / "results.jsonl"
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    argv = [exe, str(samples), "--problems", str(EXAMPLE_PROBLEMS), "--out", str(out), "--no-reuse"]
    argv += ["--batch-size", "20", "--clippy", "off"]
    proc = subprocess.Popen(
        argv,
        env=dict(os.environ, SIGIL_EVAL_CACHE=str(cache)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while journal_lines(out) < 20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before the cache could be broken"
    for deps in cache.glob("*/target/debug/deps"):
        shutil.rmtree(deps)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stderr
    assert "crate cache broken" in stderr
    assert not out.exists(), "an infrastructure failure must not produce scores"
    assert journal_lines(out) >= 20, "verdicts finished before the failure are kept for the rerun"


def test_a_batch_harness_that_cannot_switch_uid_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness's children run under uids the batch path picks; make that uid invalid (setuid(-1) fails
    with EINVAL) while the evaluator's own start-up check (isolated uids) still passes."""
    if os.geteuid() != 0:
        pytest.skip("uids are switched only when the evaluator runs as root")
    monkeypatch.setattr(harness_run, "harness_uid_base", lambda slot: 2**32 - 1)  # setuid(-1) fails
    with pytest.raises(sigil_eval.InfraError, match="cannot switch") as raised:
        judge([{"task_id": "test_rust/0", "completion": "    1\n}\n"}], {"t": RETURN_ONE}, workers=1, clippy="off")
    assert isinstance(raised.value, sigil_eval.SandboxError)


def test_a_test_binary_that_cannot_get_its_uid_stops_the_run_before_any_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host where setpriv cannot switch to the run uid (a user namespace without the uids mapped, say; here a
    uid setpriv refuses to parse): the start-up check fails the run, instead of every isolated sample failing as
    if it had exited early."""
    if os.geteuid() != 0:
        pytest.skip("uids are switched only when the evaluator runs as root")
    monkeypatch.setattr(sandbox, "run_uid", lambda slot: "no-such-uid")  # setpriv: failed to parse reuid
    with pytest.raises(sigil_eval.InfraError, match="cannot start a test binary under its own uid") as raised:
        judge([{"task_id": "test_rust/0", "completion": "    1\n}\n"}], {"t": RETURN_ONE}, mode="isolated")
    assert isinstance(raised.value, sigil_eval.SandboxError)


def test_a_scratch_dir_the_jail_cannot_see_stops_the_run_before_any_sample(tmp_path: Path) -> None:
    """firejail gives the jail a /dev of its own: a scratch dir under /dev/shm is not there, and every compile
    would fail with "couldn't read `src.rs`" — scored as the samples' compile errors, had the start-up check
    not compiled something in the scratch dir first."""
    if not Path("/dev/shm").is_dir() or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm")
    samples = write_jsonl(tmp_path / "s.jsonl", [{"task_id": "test_rust/0", "completion": "    1\n}\n"}])
    problems = write_jsonl(tmp_path / "p.jsonl", [RETURN_ONE])
    out = tmp_path / "results.jsonl"
    exe = Path(sys.executable).with_name("sigil-eval")
    run = subprocess.run(
        [str(exe), str(samples), "--problems", str(problems), "--out", str(out), "--no-reuse"],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": "/dev/shm"},
        check=False,
    )
    assert run.returncode == 3, run.stderr
    assert "cannot compile in the scratch dir /dev/shm/" in run.stderr and "couldn't read" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and not out.exists()

"""Identical programs are judged once, within a run and across runs; a broken store stops the run cleanly."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sigil_eval.runner import fingerprint

from ..helpers import RETURN_ONE, RETURN_ONE_SAMPLES, cli, evaluate, requires_firejail, write_jsonl


def _run(
    tmp_path: Path, samples: list[dict[str, object]], *flags: str
) -> tuple[dict[str, object], list[dict[str, object]]]:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    path = write_jsonl(tmp_path / "samples.jsonl", samples)
    proc = cli(str(path), "--problems", str(problems), "--json", "--fresh", *flags)
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in Path(f"{path}_results.jsonl").read_text().splitlines()]
    return json.loads(proc.stdout.splitlines()[-1]), results


@requires_firejail
def test_rerun_reuses_verdicts_and_no_reuse_does_not(tmp_path: Path) -> None:
    first, first_results = _run(tmp_path, RETURN_ONE_SAMPLES)
    assert first["reused_verdicts"] == 0
    second, second_results = _run(tmp_path, RETURN_ONE_SAMPLES)
    assert second["reused_verdicts"] == 4
    assert [r.pop("judged_by") for r in second_results] == ["store"] * 4
    assert {r.pop("judged_by") for r in first_results} == {"batch: shared tests"}  # four samples of one problem
    assert second_results == first_results
    third, _ = _run(tmp_path, RETURN_ONE_SAMPLES, "--no-reuse")
    assert third["reused_verdicts"] == 0 and third["pass_at_k"] == first["pass_at_k"]


@requires_firejail
def test_duplicate_programs_in_one_run_are_judged_once(tmp_path: Path) -> None:
    wrong = {"task_id": "test_rust/0", "completion": "    0\n}\n"}
    samples = [RETURN_ONE_SAMPLES[0], wrong, dict(wrong, completion_id=7), wrong, RETURN_ONE_SAMPLES[0]]
    report, results = _run(tmp_path, samples)
    assert report["deduplicated"] == 3 and report["n_samples"] == 5
    assert [r["sample_index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["passed"] for r in results] == [True, False, False, False, True]
    assert results[2]["completion_id"] == 7 and results[1]["result"] == results[2]["result"]


def test_corrupt_or_unwritable_caches_exit_3(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    samples = write_jsonl(tmp_path / "samples.jsonl", RETURN_ONE_SAMPLES)
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    env = dict(os.environ, SIGIL_EVAL_VERDICT_DB=str(corrupt))
    proc = cli(str(samples), "--problems", str(problems), env=env)
    assert proc.returncode == 3 and "verdict store" in proc.stderr and "--no-reuse" in proc.stderr
    env = dict(os.environ, SIGIL_EVAL_VERDICT_DB="/dev/null/verdicts.sqlite")
    assert cli(str(samples), "--problems", str(problems), env=env).returncode == 3
    env = dict(os.environ, SIGIL_EVAL_CACHE="/dev/null/sigil-cache")
    proc = cli(str(samples), "--problems", str(problems), env=env)
    assert proc.returncode == 3 and "not writable" in proc.stderr
    assert not Path(f"{samples}_results.jsonl").exists()


ORACLE_ROW = {
    "task_id": "O/double",
    "prompt": "fn double(x: i64) -> i64 {\n",
    "entry_point": "double",
    "test": "",
    "cases": [{"call": "double(2)", "expected": 4}],
    "result_type": "i64",
}


@requires_firejail
def test_whatever_can_change_a_verdict_misses_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative controls: the same samples under one changed setting are judged again, never served."""
    db = tmp_path / "verdicts.sqlite"
    base: dict[str, Any] = {"reuse_verdicts": True, "verdict_store": db, "workers": 2, "clippy": "off", "timeout": 5}
    problems = {"test_rust/0": RETURN_ONE, "O/double": ORACLE_ROW}
    samples = [*RETURN_ONE_SAMPLES[:2], {"task_id": "O/double", "completion": "    x * 2\n}\n"}]
    assert evaluate(samples, problems, **base).reused_verdicts == 0
    assert evaluate(samples, problems, **base).reused_verdicts == 3  # the control: nothing changed, all served
    variants: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "timeout": (problems, base | {"timeout": 6}),
        "clippy mode": (problems, base | {"clippy": "advisory"}),
        "mode": (problems, base | {"mode": "isolated"}),
        "sandbox": (problems, base | {"sandbox": "none", "allow_no_sandbox": True}),
        "edition": ({k: v | {"edition": "2018"} for k, v in problems.items()}, base),
        # tests read as cases are keyed by their cases: another expected value (a blank line more is the same test)
        "tests": (
            {**problems, "test_rust/0": RETURN_ONE | {"test": RETURN_ONE["test"].replace("), 1)", "), 2)")}},
            base,
        ),
        "in-process tests": (
            {
                **problems,
                "test_rust/0": RETURN_ONE
                | {"test": RETURN_ONE["test"].replace("assert_eq!(", "{ }\n        assert_eq!(")},
            },
            base,
        ),
        "expected values": (
            {**problems, "O/double": ORACLE_ROW | {"cases": [{"call": "double(3)", "expected": 6}]}},
            base,
        ),
    }
    # a changed problem misses for its own samples only: the other problem's are still served
    still_served = {"tests": 1, "in-process tests": 1, "expected values": 2}
    for name, (rows, options) in variants.items():
        assert evaluate(samples, rows, **options).reused_verdicts == still_served.get(name, 0), name
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "another evaluator")
    assert evaluate(samples, problems, **base).reused_verdicts == 0, "evaluator version"

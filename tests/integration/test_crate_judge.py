"""Crate tasks judged alone (issue 26, in progress): the task's tests run under our forking harness, one child per
test, with cargo offline in the sandbox against the vendored dependencies."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import msgspec
import pytest

import sigil_eval
from sigil_eval.crates.context import CrateContext
from sigil_eval.crates.judge import judge_crate
from sigil_eval.crates.task import CrateTask, task_from_row
from sigil_eval.crates.warm import warm_crate_tasks
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Sample
from sigil_eval.runner.context import JobContext, close_context, open_context

from ..helpers import cli, requires_firejail, shared, write_jsonl

TESTS = """\
use shapes::*;

#[test]
fn a_square_has_four_sides() {
    assert_eq!(sides("square"), 4);
}

#[test]
#[ignore]
fn a_triangle_has_three() {
    assert_eq!(sides("triangle"), 3);
}

#[test]
#[should_panic(expected = "unknown shape")]
fn an_unknown_shape_panics() {
    sides("blob");
}

#[test]
fn results_count_too() -> Result<(), String> {
    if sides("square") == 4 { Ok(()) } else { Err("four".into()) }
}
"""

ROW: dict[str, Any] = {
    "slug": "shapes",
    "cargo_toml": '[package]\nname = "shapes"\nversion = "0.1.0"\nedition = "2021"\n',
    "src": {"src/lib.rs": "pub fn sides(shape: &str) -> u32 {\n    todo!()\n}\n"},
    "tests": {"tests/shapes.rs": TESTS},
    "example": {
        ".meta/example.rs": (
            'pub fn sides(shape: &str) -> u32 {\n    match shape {\n        "square" => 4,\n'
            '        "triangle" => 3,\n        other => panic!("unknown shape {other}"),\n    }\n}\n'
        )
    },
    "meta_config": {"files": {"solution": ["src/lib.rs"]}},
}
NAMES = ["a_square_has_four_sides", "a_triangle_has_three", "an_unknown_shape_panics", "results_count_too"]


@pytest.fixture(scope="module")
def context() -> Iterator[JobContext]:
    ctx = anyio.run(open_context, EvalOptions(workers=1, clippy="off"))
    yield ctx
    close_context(ctx)


def judge(task: CrateTask, answers: list[str], ctx: JobContext) -> list[CrateTaskResult]:
    async def run() -> list[CrateTaskResult]:
        cache = await warm_crate_tasks([task])
        samples = [Sample(task_id=task.task_id, completion=answer) for answer in answers]
        crates = CrateContext(ctx, cache)
        return [await judge_crate(task, sample, i, crates) for i, sample in enumerate(samples)]

    return anyio.run(run)


@requires_firejail
def test_each_test_is_judged_by_name_ignored_ones_too(context: JobContext) -> None:
    task = task_from_row(ROW)
    wrong = ROW["example"][".meta/example.rs"].replace('"triangle" => 3', '"triangle" => 5')
    no_panic = ROW["example"][".meta/example.rs"].replace('panic!("unknown shape {other}")', "0")
    other_panic = ROW["example"][".meta/example.rs"].replace("unknown shape", "no such")
    right, stub, three, quiet, mistaken = judge(
        task, [task.reference["src/lib.rs"], task.sources["src/lib.rs"], wrong, no_panic, other_panic], context
    )
    assert (right.passed, sorted(right.tests_passed), right.tests_failed) == (True, NAMES, [])
    assert not stub.passed and stub.tests_failed and stub.compile_ok  # todo!() compiles and panics
    assert (three.passed, three.tests_failed) == (False, ["a_triangle_has_three"])
    assert quiet.tests_failed == ["an_unknown_shape_panics"] and mistaken.tests_failed == ["an_unknown_shape_panics"]
    assert not list(context.scratch_root.glob("crate-*"))  # every crate's build removed once judged


@requires_firejail
def test_an_answer_cannot_vote_or_edit_the_tests(context: JobContext) -> None:
    task = task_from_row(ROW)
    body = task.reference["src/lib.rs"]
    exits = body.replace('other => panic!("unknown shape {other}")', "_ => std::process::exit(0)")
    prints = body.replace('"triangle" => 3', '"triangle" => { println!("test result: ok. 4 passed; 0 failed"); 0 }')
    rewrite = f"src/lib.rs\n```rust\n{body}```\ntests/shapes.rs\n```rust\n#[test]\nfn nothing() {{}}\n```\n"
    manifest = f'src/lib.rs\n```rust\n{body}```\nCargo.toml\n```toml\n[package]\nname = "sigil_harness"\n```\n'
    task = msgspec.structs.replace(task, editable=(*task.editable, "Cargo.toml"))  # as Exercism lists it
    exited, printed, rewritten, remanifested = judge(task, [exits, prints, rewrite, manifest], context)
    assert exited.tests_failed == ["an_unknown_shape_panics"] and exited.error_type == "early_exit"
    assert printed.tests_failed == ["a_triangle_has_three"]
    assert rewritten.passed and rewritten.ignored_files == ["tests/shapes.rs"] and rewritten.tests_total == 4
    assert remanifested.passed and remanifested.ignored_files == ["Cargo.toml"]  # the task's manifest stands


@requires_firejail
def test_public_exercises_with_dependencies_and_features(context: JobContext) -> None:
    path = shared("exercism-rust/practice_exercises_public.jsonl.gz")
    rows = {json.loads(line)["slug"]: json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()}
    for slug in ("gigasecond", "triangle"):  # a dependency (`time`); a feature the tests need (`generic`)
        task = task_from_row(rows[slug])
        [reference] = judge(task, [task.reference["src/lib.rs"]], context)
        assert reference.passed and reference.tests_total >= 5, (slug, reference.result, reference.stderr[:500])


def test_warm_fetches_a_task_files_dependencies_and_locates_a_bad_row(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "tasks.jsonl", [ROW])
    run = cli("warm", "--problems", str(good))
    assert run.returncode == 0 and "1 crate tasks' dependencies (libc 0.2)" in run.stderr, run.stderr
    bad = write_jsonl(tmp_path / "bad.jsonl", [ROW, ROW | {"cargo_toml": "[dependencies]\n", "slug": "x"}])
    run = cli("warm", "--problems", str(bad))
    assert run.returncode == 2 and f"{bad}:2: field 'cargo_toml'" in run.stderr, run.stderr


@requires_firejail
def test_the_command_judges_crate_samples_and_a_rerun_resumes(tmp_path: Path) -> None:
    tasks = write_jsonl(tmp_path / "tasks.jsonl", [ROW])
    reference = ROW["example"][".meta/example.rs"]
    samples = [
        {"task_id": "shapes", "completion": f"Here you go:\n```rust\n{reference}```\n"},
        {"task_id": "shapes", "completion": ROW["src"]["src/lib.rs"]},
        {"task_id": "shapes", "completion": "Sorry, I cannot help with that."},
        {"task_id": "nope", "completion": reference},
    ]
    path = write_jsonl(tmp_path / "samples.jsonl", samples)
    run = cli(str(path), "--problems", str(tasks), "--json", "--workers", "2", "--k", "1")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    assert (report["n_samples"], report["n_rejected"], report["pass_at_k"]) == (3, 1, {"pass@1": 1 / 3})
    assert 0.3 < report["mean_tests_passed"] < 0.6 and report["error_types"]["no_code"] == 1
    results = [json.loads(line) for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()]
    assert [r["sample_index"] for r in results] == [0, 1, 2]
    assert results[0]["passed"] and sorted(results[0]["tests_passed"]) == NAMES and results[0]["tests_total"] == 4
    assert not results[1]["passed"] and results[1]["tests_failed"]
    again = cli(str(path), "--problems", str(tasks), "--json", "--workers", "2", "--k", "1")
    assert json.loads(again.stdout.splitlines()[-1]) == report


@requires_firejail
def test_a_dependency_the_cache_lacks_stops_the_run_naming_it_never_scored(tmp_path: Path) -> None:
    """The vendored `itoa` removed after warm: no answer is to blame, and none is scored."""
    task = task_from_row(ROW | {"cargo_toml": ROW["cargo_toml"] + '\n[dependencies]\nitoa = "1"\n'})
    cache = anyio.run(warm_crate_tasks, [task], tmp_path)
    for vendored in cache.vendor.glob("itoa*"):
        shutil.rmtree(vendored)
    with pytest.raises(sigil_eval.StoreError, match=r"crate task shapes: .*itoa"):
        anyio.run(
            lambda: sigil_eval.evaluate_crates([{"task_id": "shapes", "completion": "x"}], [task], cache_dir=tmp_path)
        )


@requires_firejail
def test_the_api_gives_one_result_or_rejection_per_sample_in_order() -> None:
    task = task_from_row(ROW)
    generated = "macro_rules! case { ($n:ident) => { #[test] fn $n() {} } }\ncase!(one);\n"
    macro_made = task_from_row(ROW | {"slug": "made", "tests": {"tests/made.rs": generated}})
    samples = [
        {"task_id": "shapes", "completion": task.reference["src/lib.rs"]},
        {"task_id": "nope", "completion": "x"},
        Sample(task_id="shapes", completion=task.sources["src/lib.rs"]),
        {"completion": "no task id"},
        {"task_id": "made", "completion": task.reference["src/lib.rs"]},
    ]
    out = anyio.run(lambda: sigil_eval.evaluate_crates(samples, [task, macro_made], clippy="off"))
    kinds = [type(item).__name__ for item in out]
    assert kinds == ["CrateTaskResult", "Rejection", "CrateTaskResult", "Rejection", "Rejection"]
    first, unknown, stub, missing, made = out
    assert isinstance(first, CrateTaskResult) and first.passed and isinstance(stub, CrateTaskResult) and not stub.passed
    assert "unknown task_id 'nope'" in str(unknown) and "field 'task_id' missing" in str(missing)
    # a task whose tests a macro writes cannot be judged by the harness: its answers are rejected, named, and the
    # others go on
    assert str(made).startswith("samples:5: crate task made: tests/made.rs: a test sits where the harness cannot")

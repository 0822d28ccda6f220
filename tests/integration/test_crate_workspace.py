"""Crate tasks batched in one cargo workspace (`crates.workspace`) agree with each crate judged alone, field by
field; a member cannot read its neighbours, at compile time or while its tests run; a member whose build fails
is named by its own errors."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import AsyncIterator, Iterator

import anyio
import msgspec
import pytest

from sigil_eval.crates.evaluate import judge_crate_samples
from sigil_eval.crates.mutants import crate_mutants
from sigil_eval.crates.task import CrateTask, task_from_row
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Rejection, Sample

from ..helpers import requires_firejail, shared
from .test_crate_judge import ROW

COMPARED = ("passed", "error_type", "result", "compile_ok", "tests_passed", "tests_failed", "tests_total", "stderr")
COMPARED += ("ignored_files", "clippy_ok", "clippy_lints")

pytestmark = requires_firejail


def judge(tasks: list[CrateTask], samples: list[Sample], mode: str) -> list[CrateTaskResult]:
    options = EvalOptions(workers=2, mode=mode)  # type: ignore[arg-type]
    results: list[CrateTaskResult] = []

    async def items() -> AsyncIterator[tuple[int, Sample | Rejection]]:
        for index, sample in enumerate(samples):
            yield index, sample

    anyio.run(judge_crate_samples, tasks, items(), options, results.append, [])
    assert sorted(r.sample_index for r in results) == list(range(len(samples)))  # one result per sample
    return sorted(results, key=lambda result: result.sample_index)


def assert_same(batched: list[CrateTaskResult], alone: list[CrateTaskResult]) -> None:
    for one, other in zip(batched, alone, strict=True):
        for name in COMPARED:
            where = f"{one.task_id} {one.completion_id} {name} ({one.judged_by})"
            assert getattr(one, name) == getattr(other, name), (
                f"{where}: {getattr(one, name)!r} != {getattr(other, name)!r}"
            )


@pytest.fixture(scope="module")
def shapes() -> CrateTask:
    return task_from_row(ROW)


def test_batched_equals_alone_on_answers_that_pass_fail_and_do_not_compile(shapes: CrateTask) -> None:
    reference = shapes.reference["src/lib.rs"]
    answers = {
        "reference": reference,
        "stub": shapes.sources["src/lib.rs"],
        "wrong": reference.replace('"triangle" => 3', '"triangle" => 5'),
        "no_panic": reference.replace('panic!("unknown shape {other}")', "0"),
        "type_error": reference.replace("=> 4", '=> "four"'),
        "two_errors": reference.replace("=> 4", "=> four") + 'fn g() -> u8 { "x" }\n',
        "exits": reference.replace('other => panic!("unknown shape {other}")', "_ => std::process::exit(0)"),
        "markdown": f"Sure:\n```rust\n{reference}```\n",
        "linted": reference + "pub fn double(x: u32) -> u32 {\n    return x * 2;\n}\n",
        "denies_lint": "#![deny(clippy::needless_return)]\n"
        + reference.replace("    match shape {", "    return match shape {").replace("    }\n}", "    };\n}"),
    }
    samples = [Sample(task_id="shapes", completion=text, completion_id=kind) for kind, text in answers.items()]
    batched, alone = judge([shapes], samples, "batched"), judge([shapes], samples, "isolated")
    assert_same(batched, alone)
    assert {r.judged_by for r in alone} == {"isolated"}
    by_kind = {r.completion_id: r for r in batched}
    assert by_kind["reference"].passed and by_kind["markdown"].passed and not by_kind["wrong"].passed
    assert by_kind["type_error"].error_type == "compile_error" and "--> src/lib.rs:" in by_kind["type_error"].stderr
    assert by_kind["two_errors"].stderr.count("error[") == 2  # every error, once (the lib is built twice)
    assert "sigil-member" not in "".join(r.stderr + r.result for r in batched)
    assert by_kind["reference"].clippy_ok is True  # clippy ran (fused into the build): the reference is clean
    linted, denies = by_kind["linted"], by_kind["denies_lint"]
    assert linted.passed and linted.clippy_lints == ["clippy::needless_return"] and not linted.clippy_ok
    # a lint the answer made an error fails clippy, never the build: judged alone, built again without clippy
    assert denies.passed and denies.clippy_lints == ["clippy::needless_return"] and not denies.clippy_ok
    assert denies.judged_by == "isolated: clippy_denied"


def test_a_member_cannot_read_its_neighbours(shapes: CrateTask) -> None:
    """Its neighbour (position 0) is a correct answer; an answer that copies it in at compile time is judged
    alone, and one that looks for it while its tests run finds nothing, as alone."""
    reference = shapes.reference["src/lib.rs"]
    wrong = reference.replace('"square" => 4', '"square" => 5')
    at_compile = 'include!("../../sigil-member-0/src/lib.rs");\n'
    at_run = (
        "pub fn sides(shape: &str) -> u32 {\n"
        '    for dir in ["../sigil-member-0", "../../sigil-member-0", "../target"] {\n'
        "        if std::fs::read_dir(dir).map(|d| d.count() > 0).unwrap_or(false) { return right(shape); }\n"
        "    }\n    0\n}\n" + reference.replace("pub fn sides", "fn right")
    )
    samples = [
        Sample(task_id="shapes", completion=text, completion_id=kind)
        for kind, text in [("neighbour", reference), ("compile", at_compile), ("run", at_run), ("wrong", wrong)]
    ]
    batched, alone = judge([shapes], samples, "batched"), judge([shapes], samples, "isolated")
    assert_same(batched, alone)
    _, compile_time, run_time, _ = batched
    assert compile_time.judged_by == "isolated: place_aware" and not compile_time.passed
    assert run_time.judged_by == "batched" and not run_time.passed


@pytest.fixture(scope="module")
def exercises() -> Iterator[list[CrateTask]]:
    path = shared("exercism-rust/practice_exercises_public.jsonl.gz")
    rows = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    chosen = {"gigasecond", "triangle", "anagram", "clock", "raindrops", "sieve", "acronym", "luhn"}
    yield [task_from_row(row) for row in rows if row["slug"] in chosen]


def test_public_exercises_batched_equal_alone(exercises: list[CrateTask]) -> None:
    """Examples, stubs and two mutants each, across tasks with and without dependencies (`gigasecond` needs
    `time`), so several workspaces form and crates of different tasks share one."""
    rng = random.Random(26)
    samples = []
    for task in exercises:
        example = task.reference["src/lib.rs"]
        kinds = [
            ("example", example),
            ("stub", task.sources["src/lib.rs"]),
            *rng.sample(crate_mutants(example, rng), 2),
        ]
        samples += [Sample(task_id=task.task_id, completion=text, completion_id=kind) for kind, text in kinds]
    batched, alone = judge(exercises, samples, "batched"), judge(exercises, samples, "isolated")
    assert_same(batched, alone)
    assert all(r.passed for r in batched if r.completion_id == "example")
    assert not any(r.passed for r in batched if r.completion_id == "stub")
    assert sum(r.judged_by == "batched" for r in batched) >= len(samples) - 2


def test_tasks_with_other_dependencies_never_share_a_workspace(shapes: CrateTask) -> None:
    """`--all-features` and cargo's feature unification would let one task's dependency features reach another's
    crate: `rand` with `small_rng` for one task, without for the other, and the answer that needs it fails alone."""
    needs = (
        "pub fn sides(_: &str) -> u32 { use rand::SeedableRng; let _ = rand::rngs::SmallRng::seed_from_u64(1); 4 }\n"
    )
    with_feature = '[dependencies]\nrand = { version = "0.8", default-features = false, features = ["small_rng"] }\n'
    without = '[dependencies]\nrand = { version = "0.8", default-features = false }\n'
    featured = msgspec.structs.replace(shapes, task_id="featured", cargo_toml=shapes.cargo_toml + with_feature)
    plain = msgspec.structs.replace(shapes, task_id="plain", cargo_toml=shapes.cargo_toml + without)
    samples = [
        Sample(task_id="featured", completion=shapes.reference["src/lib.rs"]),
        Sample(task_id="plain", completion=needs),
        Sample(task_id="featured", completion=needs),
    ]
    batched, alone = judge([featured, plain], samples, "batched"), judge([featured, plain], samples, "isolated")
    assert_same(batched, alone)
    assert batched[1].error_type == "compile_error" and batched[2].compile_ok

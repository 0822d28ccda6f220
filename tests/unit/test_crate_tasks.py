"""Crate tasks (issue 26, in progress): reading a task from its row or an Exercism tree, and an answer's files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from sigil_eval.crates.answer import answer_files, normalise_path
from sigil_eval.crates.task import CrateTask, exercise_rows, task_from_row

from ..helpers import shared

ROW: dict[str, Any] = {
    "slug": "leap",
    "cargo_toml": '[package]\nname = "leap"\nedition = "2021"\n',
    "src": {"src/lib.rs": "pub fn is_leap_year(year: u64) -> bool {\n    todo!()\n}\n"},
    "tests": {"tests/leap.rs": "use leap::*;\n#[test]\nfn y2000() { assert!(is_leap_year(2000)); }\n"},
    "example": {
        ".meta/example.rs": "pub fn is_leap_year(y: u64) -> bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }\n"
    },
    "meta_config": {"files": {"solution": ["src/lib.rs", "Cargo.toml"], "test": ["tests/leap.rs"]}},
    "instructions": "# Instructions\nLeap years.",
    "instructions_append": "",
}


def task() -> CrateTask:
    return task_from_row(ROW)


def test_a_row_becomes_a_task_with_its_editable_files_and_reference() -> None:
    found = task()
    assert (found.task_id, found.crate_name, found.main_file) == ("leap", "leap", "src/lib.rs")
    assert found.editable == ("src/lib.rs", "Cargo.toml") and list(found.tests) == ["tests/leap.rs"]
    assert list(found.reference) == ["src/lib.rs"] and found.instructions == "# Instructions\nLeap years."
    assert task_from_row(ROW | {"task_id": "exercism/leap"}).task_id == "exercism/leap"


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"slug": None}, "task_id"),
        ({"cargo_toml": "[dependencies]\n"}, "package"),
        ({"tests": {}}, "tests"),
        ({"src": {"../escape.rs": "x"}}, "leaves the crate"),
        ({"src": {"src/lib.rs": 3}}, "src"),
    ],
)
def test_a_broken_row_is_refused_naming_the_field(change: dict[str, Any], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        task_from_row(ROW | change)


BODY = "pub fn is_leap_year(year: u64) -> bool {\n    year % 4 == 0\n}\n"


@pytest.mark.parametrize(
    "answer",
    [
        BODY,
        f"Here is my solution:\n\n```rust\n{BODY}```\n\nIt checks divisibility.",
        f"**src/lib.rs**\n```rust\n{BODY}```\n",
        f"### File: src/lib.rs\n```rust\n{BODY}```\n",
        f"```rust src/lib.rs\n{BODY}```\n",
        f"```rust\n// src/lib.rs\n{BODY}```\n",
        json.dumps({"src/lib.rs": BODY}),
        f"<think>maybe ```rust\nfn wrong() {{}}\n```</think>\n```rust\n{BODY}```",
        f"```rust\n{BODY}```\nUsage:\n```rust\nlet x = 1;\n```\n",  # the longest unnamed block
        f"leap/src/lib.rs\n```rust\n{BODY}```\n",
    ],
)
def test_every_answer_shape_writes_the_main_file(answer: str) -> None:
    found = answer_files(answer, task())
    assert found.files == {"src/lib.rs": BODY} and not found.no_code


def test_files_an_answer_may_not_edit_are_named_and_left_to_the_task() -> None:
    answer = (
        f"src/lib.rs\n```rust\n{BODY}```\ntests/leap.rs\n```rust\nfn cheat() {{}}\n```\nsrc/other.rs\n```rust\n```\n"
    )
    found = answer_files(answer, task())
    assert found.files == {"src/lib.rs": BODY} and set(found.ignored) == {"tests/leap.rs", "src/other.rs"}


@pytest.mark.parametrize(
    "answer", ["", "   ", "I am not able to write this crate.", "<think>```rust\nfn x(){}\n```</think>"]
)
def test_an_answer_without_code_says_so(answer: str) -> None:
    assert answer_files(answer, task()).no_code


def test_paths_are_normalised_to_the_tasks() -> None:
    assert [normalise_path(p, task()) for p in ("./src/lib.rs", "leap/src/lib.rs", "lib.rs", "Cargo.toml")] == [
        "src/lib.rs",
        "src/lib.rs",
        "src/lib.rs",
        "Cargo.toml",
    ]


def test_an_exercism_tree_reads_as_the_rows_do(tmp_path: Path) -> None:
    exercise = tmp_path / "exercises" / "practice" / "leap"
    for path, text in {**ROW["src"], **ROW["tests"], **ROW["example"], "Cargo.toml": ROW["cargo_toml"]}.items():
        (exercise / path).parent.mkdir(parents=True, exist_ok=True)
        (exercise / path).write_text(text)
    (exercise / ".docs").mkdir()
    (exercise / ".docs" / "instructions.md").write_text(ROW["instructions"])
    (exercise / ".meta" / "config.json").write_text(
        json.dumps({"files": {**ROW["meta_config"]["files"], "example": [".meta/example.rs"]}})
    )
    [row] = exercise_rows(tmp_path)
    assert task_from_row(row) == task()


def test_the_public_exercises_all_read() -> None:
    path = shared("exercism-rust/practice_exercises_public.jsonl.gz")
    tasks = [task_from_row(json.loads(line)) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    assert len(tasks) == 55 and all(t.reference and "src/lib.rs" in t.editable for t in tasks)
    assert all(answer_files(t.sources[t.main_file], t).files == {t.main_file: t.sources[t.main_file]} for t in tasks)

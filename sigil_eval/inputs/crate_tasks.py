"""A file of crate tasks (`.jsonl`/`.jsonl.gz`, Exercism's row shape, `crates.task`), every bad row located."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from sigil_eval.crates.task import CrateTask, task_from_row
from sigil_eval.inputs.jsonl import decode_object, iter_lines, read_keyed

CRATE_FIELDS = ("cargo_toml", "tests")  # what tells a crate task's row from a function problem's


def is_crate_task_row(row: dict[str, object]) -> bool:
    return all(name in row for name in CRATE_FIELDS)


def load_crate_tasks(path: str | os.PathLike[str]) -> list[CrateTask]:
    return list(read_keyed(path, task_from_row, lambda task: task.task_id, "crate tasks").values())


def holds_crate_tasks(path: str | os.PathLike[str]) -> bool:
    """Whether the file's first row is a crate task."""
    for _, raw in iter_lines(Path(path)):
        try:
            return is_crate_task_row(decode_object(raw))
        except msgspec.DecodeError:
            return False
    return False

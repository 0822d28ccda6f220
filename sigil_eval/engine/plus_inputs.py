"""The plus inputs file (`--tests plus`): built once per HumanEval source and build code, in the cache beside the
built-in set, and reused.

Building: the inputs of every problem (`datasets.humaneval.plus.build`), then our Rust reference solutions judged
on them (the built-in set with plus cases): an input where the Rust reference and OpenAI's Python canonical
solution disagree is a wrong reference, an input outside the problem's domain, or a translation difference, and
is dropped, with both values, into the build's log (`<file>.disagreements.jsonl`, printed as a count). Judging
stops at a problem's first wrong case, so the judging repeats on the problems that still disagree until none does.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import structlog

from sigil_eval.cargo_cache.warm import default_cache_root
from sigil_eval.datasets.humaneval import build as builtin
from sigil_eval.datasets.humaneval.plus import apply, build, contracts, domain, expected, mutate, reduce, render, values
from sigil_eval.datasets.humaneval.plus.apply import PlusSummary, with_plus
from sigil_eval.datasets.humaneval.plus.render import plus_cases
from sigil_eval.errors import StoreError
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set
from sigil_eval.outputs.files import write_atomically
from sigil_eval.program import case_data, oracle, rust_values
from sigil_eval.records import Problem
from sigil_eval.runner.jobs import Executor

PLUS_VERSION = "1"
MOST_ROUNDS = 20  # judging rounds; each removes at least one disagreement per problem that has any
# what shapes the file besides the HumanEval source: the plus modules, and what the reference check judges with
_OWN_INPUTS = (build, contracts, domain, expected, mutate, reduce, render, values, apply)
_JUDGED_WITH = (case_data, oracle, rust_values)
_CASE = re.compile(r"case (\d+): ")
log = structlog.get_logger("sigil_eval")


def plus_inputs_path(cache_root: Path | None = None) -> tuple[Path, bytes]:
    """Where the plus inputs of this HumanEval source and this build code live, and the source."""
    version, source = builtin.source_rows(cache_root)
    digest = hashlib.sha256(builtin.inputs_digest(source).encode())
    modules = (*_OWN_INPUTS, *_JUDGED_WITH)
    for path in (*(Path(str(module.__file__)) for module in modules), oracle.ORACLE_RS, Path(__file__)):
        digest.update(path.read_bytes())
    name = f"humaneval-plus-inputs-{PLUS_VERSION}-he{version}-{digest.hexdigest()[:12]}.jsonl"
    return (cache_root or default_cache_root()) / "problems" / name, source


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def plus_rows(executor: Executor, options: Any, cache_root: Path | None = None) -> list[dict[str, Any]]:
    """The plus inputs, built (and judged with `executor`) on first use."""
    path, source = plus_inputs_path(cache_root)
    if not path.exists():
        await build_plus_inputs(path, source, executor, options)
    return read_rows(path)


async def plus_problem_set(problem_set: ProblemSet, executor: Executor, options: Any) -> tuple[ProblemSet, PlusSummary]:
    rows = await plus_rows(executor, options, options.cache_dir)
    return with_plus(problem_set, rows, mini=options.tests == "plus-mini")


async def build_plus_inputs(out: Path, source: bytes, executor: Executor, options: Any) -> list[dict[str, Any]]:
    """Build, check against our Rust references and write the plus inputs (atomically); returns the rows."""
    sources = {row["task_id"]: row for row in builtin.humaneval_rows(source)}
    rows = [(await build.plus_inputs(row)).row() for row in sources.values()]
    disagreements = await _agree_with_references(rows, executor, options)
    for row in rows:
        row["mini"] = await reduce.mini(row, sources[row["task_id"]])
    data = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows).encode()
    found = "".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in disagreements).encode()
    try:
        write_atomically(out.with_name(out.name.removesuffix(".jsonl") + ".disagreements.jsonl"), found)
        write_atomically(out, data)
    except OSError as exc:
        raise StoreError(f"cannot write the plus inputs to {out}: {exc.strerror or exc}") from None
    log.info(
        "plus inputs built",
        path=str(out),
        inputs=sum(len(row["plus"]) for row in rows),
        disagreements=len(disagreements),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return rows


async def _agree_with_references(rows: list[dict[str, Any]], executor: Executor, options: Any) -> list[dict[str, Any]]:
    """Drop (from `rows`, in place) every plus input on which our Rust reference disagrees; the dropped ones."""
    from sigil_eval.engine.evaluator import Evaluator  # the evaluator opens this module's work: import when run

    builtin_set = load_problem_set(builtin.built_set_path(options.cache_dir), prelude=options.prelude)
    by_task = {row["task_id"]: row for row in rows}
    pending = set(by_task)
    dropped: list[dict[str, Any]] = []
    for task_id, row in by_task.items():  # what does not render into our own types is no input of ours
        number = int(task_id.split("/")[1])
        rendered = plus_cases(builtin_set.problems[task_id], number, *build.inputs_of_row(row))
        kept = set(rendered.sources)
        dropped += [
            {"task_id": task_id, "args": a, "python": p, "rust": "does not fit our Rust signature"}
            for i, (a, p) in enumerate(row["plus"])
            if i not in kept
        ]
        row["plus"] = [item for i, item in enumerate(row["plus"]) if i in kept]
    for _ in range(MOST_ROUNDS):
        plus_set, _summary = with_plus(builtin_set, [by_task[t] for t in sorted(by_task)])
        samples = [
            {"task_id": task_id, "completion": plus_set.problems[task_id].canonical_solution or ""}
            for task_id in sorted(pending)
            if plus_set.problems[task_id].plus_from is not None
        ]
        judging = msgspec.structs.replace(options, tests="base", reuse_verdicts=False, clippy="off")
        pending = set()
        unnamed: list[str] = []
        async with Evaluator(plus_set, judging, executor=executor) as evaluator:
            async for result in evaluator.results(samples):
                if result.passed:
                    continue
                problem = plus_set.problems[result.task_id]
                row = by_task[result.task_id]
                if len(problem.cases) - (problem.plus_from or 0) != len(row["plus"]):
                    raise StoreError(f"plus inputs: {result.task_id}'s do not all render into our signature")
                if not result.base_passed:
                    raise StoreError(f"plus inputs: our reference of {result.task_id} fails: {result.result}")
                match = _CASE.search(result.result)
                index = int(match.group(1)) - (problem.plus_from or 0) if match else -1
                if 0 <= index < len(row["plus"]):
                    dropped.append(_disagreement(result.task_id, row["plus"].pop(index), result.result))
                    pending.add(result.task_id)
                else:  # a panic or a timeout names no case: judge each plus input alone
                    unnamed.append(result.task_id)
            for task_id in unnamed:
                dropped += await _one_by_one(evaluator, plus_set.problems[task_id], by_task[task_id])
        if not pending:
            return dropped
    raise StoreError(f"plus inputs: our references still disagree after {MOST_ROUNDS} rounds: {sorted(pending)}")


def _disagreement(task_id: str, item: list[Any], rust: str) -> dict[str, Any]:
    args, python = item
    return {"task_id": task_id, "args": args, "python": python, "rust": rust}


async def _one_by_one(evaluator: Any, problem: Problem, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The reference judged on each plus input alone (base cases + that one): the inputs it fails are dropped."""
    first = problem.plus_from or 0
    alone = {
        f"{problem.task_id}#{i}": msgspec.structs.replace(
            problem, task_id=f"{problem.task_id}#{i}", cases=(*problem.cases[:first], case)
        )
        for i, case in enumerate(problem.cases[first:])
    }
    one_set = msgspec.structs.replace(evaluator.problem_set, problems=alone)
    samples = [{"task_id": task_id, "completion": problem.canonical_solution or ""} for task_id in alone]
    failed: dict[int, str] = {}
    from sigil_eval.engine.evaluator import Evaluator

    async with Evaluator(one_set, evaluator.options, executor=evaluator.executor) as each:
        async for result in each.results(samples):
            if result.passed:
                continue
            if result.error_type != "assertion_failure":  # a timeout says how loaded the machine is, not the input
                raise StoreError(f"plus inputs: checking {result.task_id} alone: {result.result}; rerun")
            failed[int(result.task_id.rsplit("#", 1)[1])] = result.result
    dropped = [_disagreement(problem.task_id, row["plus"][i], failed[i]) for i in sorted(failed)]
    row["plus"] = [item for i, item in enumerate(row["plus"]) if i not in failed]
    return dropped

"""A results file read once into what a report shows: the run's numbers, each problem's mix of verdicts and one
example failure, the compiler's error codes and clippy's lints, and the distributions of compile time and code
size. Memory grows with the problems and two numbers per sample, never with the samples' text."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import numpy as np
import numpy.typing as npt

from sigil_eval.errors import InputError
from sigil_eval.inputs.jsonl import iter_lines
from sigil_eval.metrics.report import Tally
from sigil_eval.outputs.files import SUMMARY_SUFFIX, beside
from sigil_eval.records import Report, Result, RunSetting

EXAMPLE_LINES = 24  # of a failure's stderr, in the problem table
EXAMPLE_CHARS = 2_400
_ERROR_HEAD = re.compile(r"^error(?:\[(E\d{4})\])?: (.*)$", re.MULTILINE)


@dataclass(slots=True)
class Example:
    """One failure of a problem, as the table shows it."""

    completion_id: int | str | None
    error_type: str
    result: str
    stderr_head: str


@dataclass(slots=True)
class ProblemFailures:
    """How a problem's samples failed (its counts are the tally's)."""

    errors: Counter[str] = field(default_factory=Counter)
    example: Example | None = None


@dataclass(slots=True)
class Run:
    """A results file, digested."""

    label: str
    path: Path
    tally: Tally
    failures: dict[str, ProblemFailures]
    compile_ms: npt.NDArray[np.float64]
    code_bytes: npt.NDArray[np.float64]
    rustc_errors: Counter[str]  # samples per error code (or per message, for errors without one)
    clippy_lints: Counter[str]  # samples per lint
    setting: RunSetting | None  # from the summary written beside the results; None when there is none
    summary: Report | None

    @property
    def task_ids(self) -> list[str]:
        return list(self.tally.per_problem)

    def pass_rate(self, task_id: str) -> float:
        tally = self.tally.per_problem[task_id]
        return tally.passed / tally.n

    def counts(self, task_ids: list[str], *, base: bool = False) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Samples and passing samples of each problem named (`base`: passing its base tests alone)."""
        per_problem = self.tally.per_problem
        n = np.array([per_problem[t].n for t in task_ids], dtype=np.int64)
        c = np.array([per_problem[t].base_passed if base else per_problem[t].passed for t in task_ids], dtype=np.int64)
        return n, c

    @property
    def plus(self) -> bool:
        """Judged with `--tests plus` (the summary says so): the tally's base counts mean something."""
        return self.setting is not None and self.setting.tests != "base"

    def plus_catches(self) -> list[tuple[str, int, int, int]]:
        """`--tests plus`: the problems where plus fails samples the base tests pass, as (task, n, base, plus)."""
        found = [
            (t, p.n, p.base_passed, p.passed) for t, p in self.tally.per_problem.items() if p.base_passed > p.passed
        ]
        return sorted(found, key=lambda row: (row[3] - row[2], row[0])) if self.plus else []

    @property
    def min_samples(self) -> int:
        return min((t.n for t in self.tally.per_problem.values()), default=0)

    @property
    def max_samples(self) -> int:
        return max((t.n for t in self.tally.per_problem.values()), default=0)


def rustc_error_keys(stderr: str) -> set[str]:
    """The errors a compile failure's stderr names: `E0308`, or for an error without a code its message up to the
    first quoted name (`expected one of`, `cannot find macro`)."""
    keys = set()
    for code, message in _ERROR_HEAD.findall(stderr):
        if code:
            keys.add(code)
        elif not message.startswith(("aborting due to", "could not compile")):
            keys.add(message.split("`", 1)[0].strip().rstrip(":") or message[:48])
    return keys


def _stderr_head(result: Result) -> str:
    lines = result.stderr.splitlines()[:EXAMPLE_LINES]
    head = "\n".join(lines)[:EXAMPLE_CHARS]
    return head if len(head) == len(result.stderr) else head + "\n…"


def summary_path(results: Path) -> Path:
    return beside(results, SUMMARY_SUFFIX)


def _read_summary(results: Path) -> Report | None:
    path = summary_path(results)
    if not path.exists():
        return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=Report)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InputError(f"{path}: not a sigil-eval summary: {exc}") from None


def read_run(path: Path, label: str | None = None) -> Run:
    """Digest a results file (`sigil-eval evaluate`'s or `run`'s `--out`) and the summary beside it, if any.
    A line that is not a result raises InputError naming the file and line."""
    decoder = msgspec.json.Decoder(Result)
    tally = Tally()
    failures: dict[str, ProblemFailures] = {}
    compile_ms, code_bytes = array("d"), array("d")
    rustc_errors: Counter[str] = Counter()
    clippy_lints: Counter[str] = Counter()
    for number, raw in iter_lines(path):
        try:
            result = decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise InputError(f"{path}:{number}: not a result: {exc}") from None
        tally.add(result)
        record = failures.get(result.task_id)
        if record is None:
            record = failures[result.task_id] = ProblemFailures()
        if result.error_type:
            record.errors[result.error_type] += 1
            if record.example is None:
                record.example = Example(result.completion_id, result.error_type, result.result, _stderr_head(result))
        if result.error_type == "compile_error":
            rustc_errors.update(rustc_error_keys(result.stderr))
        clippy_lints.update(set(result.clippy_lints))
        if result.compile_time_ms is not None:
            compile_ms.append(result.compile_time_ms)
        if result.binary_size_bytes is not None:
            code_bytes.append(result.binary_size_bytes)
    if not failures:
        raise InputError(f"{path}: no results")
    summary = _read_summary(path)
    setting = None
    if summary is not None:
        setting = RunSetting(**{f: getattr(summary, f) for f in RunSetting.__struct_fields__})
    return Run(
        label=label or path.name.removesuffix(".jsonl").removesuffix("_results"),
        path=path,
        tally=tally,
        failures=failures,
        compile_ms=np.frombuffer(compile_ms, dtype=np.float64),
        code_bytes=np.frombuffer(code_bytes, dtype=np.float64),
        rustc_errors=rustc_errors,
        clippy_lints=clippy_lints,
        setting=setting,
        summary=summary,
    )

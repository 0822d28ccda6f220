"""The report page: `sigil-eval report`, `--report` of `evaluate` and `run`, `sigil_eval.write_report`. Needs the
`report` extra (matplotlib, jinja2), imported only when a page is drawn, so `import sigil_eval` stays light."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from sigil_eval.crates.task import CrateTask
from sigil_eval.errors import InputError
from sigil_eval.extras import require_extra
from sigil_eval.inputs.problemsets import ProblemSet


def write_report(
    results: Sequence[str | Path],
    out: str | Path,
    *,
    labels: Sequence[str] = (),
    problem_set: ProblemSet | None = None,
    png_dir: str | Path | None = None,
) -> None:
    """Draw the self-contained HTML page of `results[0]` at `out`, compared with each of `results[1:]` (the first
    is the baseline); `png_dir` also gets the main charts as PNG files. Raises InputError for an unreadable
    results file or runs with no problem in common."""
    require_extra("report", "the report")
    from sigil_eval.report import page

    try:
        page.write_report(
            [Path(p) for p in results],
            Path(out),
            labels=labels,
            problem_set=problem_set,
            png_dir=None if png_dir is None else Path(png_dir),
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None


def write_crate_report(results: str | Path, out: str | Path, tasks: Sequence[CrateTask] = ()) -> None:
    """Draw the page of a crate-task run's results at `out` (`tasks`: the set, to name tasks without results)."""
    require_extra("report", "the report")
    from sigil_eval.report import crate_page

    try:
        crate_page.write_crate_report(Path(results), Path(out), tasks)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def is_crate_results(results: str | Path) -> bool:
    """Whether a results file holds crate-task results (its page is `write_crate_report`'s)."""
    from sigil_eval.inputs.jsonl import iter_lines

    return any(b'"tests_total"' in line for _, line in itertools.islice(iter_lines(results), 1))

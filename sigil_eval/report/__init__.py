"""The report page: `sigil-eval report`, `--report` of `evaluate` and `run`, `sigil_eval.write_report`. Needs the
`report` extra (matplotlib, jinja2), imported only when a page is drawn, so `import sigil_eval` stays light."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from sigil_eval.errors import InputError
from sigil_eval.inputs.problemsets import ProblemSet

REPORT_MODULES = ("matplotlib", "jinja2")


def require_report_extra() -> None:
    """Raise InputError (before any work starts) when the report's libraries are not installed."""
    missing = [name for name in REPORT_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(f"the report needs {' and '.join(missing)}: pip install 'sigil-eval[report]'")


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
    require_report_extra()
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

"""The report's templates (`*.html.j2` beside this module, sharing `style.html.j2`), escaped throughout: stderr
and completions are a model's text, never markup."""

from __future__ import annotations

import jinja2

environment = jinja2.Environment(
    loader=jinja2.PackageLoader("sigil_eval.report", "."),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _percent(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}%}"


environment.filters["percent"] = _percent

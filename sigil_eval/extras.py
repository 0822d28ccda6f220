"""The optional extras (`pip install 'sigil-eval[EXTRA]'`), checked the same way wherever one is needed: before any
work starts, with one exit code (3, an `InfraError`) and one message naming what is missing and how to get it."""

from __future__ import annotations

import importlib.util
from typing import Literal

from sigil_eval.errors import MissingExtraError

Extra = Literal["serve", "ray", "report"]
# the modules each extra installs (pyproject.toml's optional-dependencies, by import name)
EXTRA_MODULES: dict[Extra, tuple[str, ...]] = {
    "serve": ("starlette", "uvicorn", "httpx"),
    "ray": ("ray",),
    "report": ("matplotlib", "jinja2"),
}


def require_extra(extra: Extra, needed_by: str, *, modules: tuple[str, ...] | None = None) -> None:
    """Raise MissingExtraError when a module of `extra` (or only `modules` of it, for what needs no more) is not
    installed; `needed_by` names what needs it."""
    missing = [name for name in modules or EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"{needed_by} needs the {extra} extra ({', '.join(missing)} not installed): "
            f"pip install 'sigil-eval[{extra}]'"
        )

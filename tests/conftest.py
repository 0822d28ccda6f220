from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def session_verdict_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the suite off the user's verdict store, also for module-scoped fixtures, which pytest sets up
    before any function-scoped fixture could point them elsewhere."""
    path = tmp_path_factory.mktemp("session-verdicts") / "verdicts.sqlite"
    previous = os.environ.get("SIGIL_EVAL_VERDICT_DB")
    os.environ["SIGIL_EVAL_VERDICT_DB"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("SIGIL_EVAL_VERDICT_DB", None)
    else:
        os.environ["SIGIL_EVAL_VERDICT_DB"] = previous


@pytest.fixture(autouse=True)
def fresh_verdict_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts with an empty verdict store (CLI subprocesses inherit the variable), so tests judge
    samples instead of reading earlier tests' verdicts. The crate cache stays shared."""
    path = tmp_path_factory.mktemp("verdicts") / "verdicts.sqlite"
    monkeypatch.setenv("SIGIL_EVAL_VERDICT_DB", str(path))
    return path


UNIT = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tier is the directory: everything under `tests/unit/` is the fast tier (pure functions, no toolchain;
    `./dev test-fast`), as are the few tests elsewhere marked `fast` beside the toolchain tests of their module."""
    for item in items:
        if item.path.is_relative_to(UNIT):
            item.add_marker(pytest.mark.fast)

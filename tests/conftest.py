from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def fresh_verdict_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts with an empty verdict cache (CLI subprocesses inherit the variable), so tests judge
    samples instead of reading earlier tests' verdicts. The crate cache stays shared."""
    path = tmp_path_factory.mktemp("verdicts") / "verdicts.sqlite"
    monkeypatch.setenv("SIGIL_EVAL_VERDICT_DB", str(path))
    return path

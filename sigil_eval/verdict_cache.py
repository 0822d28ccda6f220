"""Content-addressed verdicts: identical programs are judged once, within a run and across runs.

The key covers everything a verdict depends on: the run-wide settings (`fingerprint`: the evaluator's own
code, toolchain, sandbox, mode, clippy mode, budgets and limits), the program as compiled (prelude, prompt,
cleaned completion, tests), the test style and edition, and an oracle problem's expected values. A hit
reuses the verdict fields; the identity fields (task id, completion, ids, index, main_free) are always the
sample's own.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import msgspec

from sigil_eval.errors import StoreError
from sigil_eval.records import ErrorType, Problem, Result

CACHE_VERSION = 2
VERDICT_FIELDS = (
    "compile_ok",
    "test_ok",
    "clippy_ok",
    "compile_time_ms",
    "run_time_ms",
    "binary_size_bytes",
    "error_type",
    "stderr",
    "passed",
    "result",
)


class CachedVerdict(msgspec.Struct, array_like=True):
    compile_ok: bool | None
    test_ok: bool | None
    clippy_ok: bool | None
    compile_time_ms: float | None
    run_time_ms: float | None
    binary_size_bytes: int | None
    error_type: ErrorType | None
    stderr: str
    passed: bool
    result: str


def cache_key(settings: dict[str, Any], problem: Problem, source: str) -> str:
    """`settings`: `fingerprint.verdict_settings`. Oracle problems' expected values are not in `source`."""
    parts = [CACHE_VERSION, settings, problem.edition, problem.test_style, source, problem.cases, problem.result_type]
    return hashlib.sha256(msgspec.json.encode(parts)).hexdigest()


class VerdictCache:
    """SQLite file in the cache dir. Writes are committed at once: a killed run keeps what it judged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hits = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict BLOB NOT NULL)")
            self._db.execute("SELECT count(*) FROM verdicts LIMIT 1").fetchone()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(
                f"verdict cache {path} unusable ({exc}): delete it, or run with --no-cache",
            ) from None

    def get(self, key: str, into: Result) -> Result | None:
        try:
            row = self._db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"verdict cache {self.path} unreadable ({exc}): delete it, or run with --no-cache",
            ) from None
        if row is None:
            return None
        try:
            verdict = msgspec.msgpack.decode(row[0], type=CachedVerdict)
        except msgspec.DecodeError:
            return None
        self.hits += 1
        into.judged_by = "cache"
        return copy_verdict(verdict, into)

    def put(self, key: str, result: Result) -> None:
        verdict = CachedVerdict(*(getattr(result, name) for name in VERDICT_FIELDS))
        try:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)", (key, msgspec.msgpack.encode(verdict)))
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"verdict cache {self.path} unwritable ({exc}): delete it, or run with --no-cache",
            ) from None

    def close(self) -> None:
        self._db.close()


def copy_verdict(source: CachedVerdict | Result, into: Result) -> Result:
    for name in VERDICT_FIELDS:
        setattr(into, name, getattr(source, name))
    return into

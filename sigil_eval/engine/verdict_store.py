"""The verdict store: identical programs are judged once, within a run and across runs.

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
from sigil_eval.records import STORE, ErrorType, Problem, Result, RunStats

STORE_VERSION = 4  # 4: cases_passed
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
    "base_passed",
    "cases_passed",
)


class StoredVerdict(msgspec.Struct, array_like=True):
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
    base_passed: bool | None
    cases_passed: int | None


def verdict_key_prefix(settings: dict[str, Any], problem: Problem) -> bytes:
    """What a key covers besides the program: `settings` (`fingerprint.verdict_settings`), the problem's test
    style and edition, and an oracle problem's expected values (they are not in the program's source)."""
    parts = [STORE_VERSION, settings, problem.edition, problem.test_style, problem.cases, problem.result_type]
    return msgspec.json.encode(parts)


def verdict_key(prefix: bytes, source: str) -> str:
    return hashlib.sha256(prefix + b"\0" + source.encode()).hexdigest()


class VerdictStore:
    """A SQLite file (beside the crate cache by default). Writes are committed at once: a killed run keeps what
    it judged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict BLOB NOT NULL)")
            self._db.execute("SELECT count(*) FROM verdicts LIMIT 1").fetchone()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(
                f"verdict store {path} unusable ({exc}): delete it, or run with --no-reuse",
            ) from None

    def get(self, key: str, into: Result) -> Result | None:
        try:
            row = self._db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"verdict store {self.path} unreadable ({exc}): delete it, or run with --no-reuse",
            ) from None
        if row is None:
            return None
        try:
            verdict = msgspec.msgpack.decode(row[0], type=StoredVerdict)
        except msgspec.DecodeError:
            return None
        into.judged_by = STORE
        return copy_verdict(verdict, into)

    def put(self, key: str, result: Result) -> None:
        verdict = StoredVerdict(*(getattr(result, name) for name in VERDICT_FIELDS))
        try:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)", (key, msgspec.msgpack.encode(verdict)))
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"verdict store {self.path} unwritable ({exc}): delete it, or run with --no-reuse",
            ) from None

    def close(self) -> None:
        self._db.close()


def copy_verdict(source: StoredVerdict | Result, into: Result) -> Result:
    for name in VERDICT_FIELDS:
        setattr(into, name, getattr(source, name))
    return into


class Following:
    """Marker: the sample waits for the verdict of an identical program judged in this run."""


FOLLOWING = Following()


class VerdictReuse:
    """Identical programs judged once: a sample whose program has a stored verdict gets it; one whose program
    another sample of this run is being judged for waits for that verdict (`FOLLOWING`); the first of its
    program is judged, and `settle` stores its verdict and hands it to the samples that waited."""

    def __init__(self, store: VerdictStore, settings: dict[str, Any], stats: RunStats) -> None:
        self._store = store
        self._settings = settings
        self._stats = stats
        self._prefixes: dict[str, bytes] = {}  # task id → `verdict_key_prefix`
        self._keys: dict[int, str] = {}  # sample index → key, for samples being judged
        self._followers: dict[str, list[Result]] = {}  # key → samples waiting for that verdict

    def claim(self, problem: Problem, source: str, result: Result) -> Result | Following | None:
        """The stored verdict, FOLLOWING, or None: judge this sample."""
        prefix = self._prefixes.get(problem.task_id)
        if prefix is None:
            prefix = self._prefixes[problem.task_id] = verdict_key_prefix(self._settings, problem)
        key = verdict_key(prefix, source)
        if (hit := self._store.get(key, result)) is not None:
            self._stats.reused_verdicts += 1
            return hit
        if (waiting := self._followers.get(key)) is not None:
            waiting.append(result)
            return FOLLOWING
        self._followers[key] = []
        self._keys[result.sample_index] = key
        return None

    def settle(self, result: Result) -> list[Result]:
        """A verdict just judged, and the samples of this run that waited for it."""
        key = self._keys.pop(result.sample_index, None)
        if key is None:
            return [result]
        self._store.put(key, result)
        followers = self._followers.pop(key, [])
        self._stats.deduplicated += len(followers)
        for follower in followers:
            copy_verdict(result, follower).judged_by = result.judged_by
        return [result, *followers]

    def close(self) -> None:
        self._store.close()

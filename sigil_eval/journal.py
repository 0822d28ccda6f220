"""Durable results: each verdict is appended and flushed to a journal the moment it exists; a rerun of the
same command resumes from it; the final results file is written in input order at the end.

The journal's first line names the settings its verdicts were judged under (`fingerprint.verdict_settings`
and the problem set's digest). A rerun under other settings (another timeout, clippy mode, evaluator version…)
does not resume: the old journal is moved aside (`.journal.stale`) and every sample is judged again."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import msgspec
import structlog

from sigil_eval.jsonl import encode_line, write_jsonl
from sigil_eval.records import Rejection, Result, Sample

_decoder = msgspec.json.Decoder(Result)
log = structlog.get_logger("sigil_eval")


class _Header(msgspec.Struct):
    journal_settings: dict[str, Any]


class Journal:
    def __init__(self, out_path: Path, settings: dict[str, Any]) -> None:
        self.out_path = out_path
        self.path = out_path.with_name(out_path.name + ".journal")
        self.settings = settings
        self.stale: list[str] = []  # settings that differed from an earlier run's journal (moved aside)
        self._handle: IO[bytes] | None = None

    def load(self) -> dict[int, Result]:
        """Results of an interrupted run under the same settings; a torn last line (killed mid-write) is
        ignored. A journal of other settings is moved aside and nothing is resumed."""
        done: dict[int, Result] = {}
        if not self.path.exists():
            return done
        with open(self.path, "rb") as handle:
            first = handle.readline()
            try:
                earlier = msgspec.json.decode(first, type=_Header).journal_settings
            except msgspec.DecodeError:
                earlier = {}
            if earlier != self.settings:
                self.stale = sorted(k for k in {*earlier, *self.settings} if earlier.get(k) != self.settings.get(k))
            else:
                for line in handle:
                    try:
                        result = _decoder.decode(line)
                    except msgspec.DecodeError:
                        continue
                    done[result.sample_index] = result
        if self.stale:
            os.replace(self.path, self.path.with_name(self.path.name + ".stale"))
        return done

    def resume(self, entries: Iterable[tuple[int, Sample | Rejection]]) -> dict[int, Result]:
        """The verdicts an interrupted run under the same settings left for these input lines: a line is kept
        only when the journal holds a result for the very same sample there. Says what it did in the log."""
        previous = self.load()
        if self.stale:
            log.warning(
                "journal of an earlier run under other settings moved aside; judging every sample again",
                differs=",".join(self.stale),
                journal=str(self.path) + ".stale",
            )
        kept = {
            index: old
            for index, item in entries
            if isinstance(item, Sample) and (old := previous.get(index)) is not None and _matches(old, item)
        }
        if kept:
            log.info("resuming from journal", kept=len(kept), journal=str(self.path))
        return kept

    def open(self) -> None:
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "ab")  # noqa: SIM115 - lives for the whole run
        if self._handle.tell() == 0:
            self._handle.write(msgspec.json.encode(_Header(self.settings)) + b"\n")
            self._handle.flush()

    def append(self, result: Result) -> None:
        assert self._handle is not None
        self._handle.write(encode_line(result))
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def finish(self, results: Iterable[Result]) -> None:
        """Write the ordered results file atomically, then drop the journal."""
        self.close()
        tmp = self.out_path.with_name(".tmp-" + self.out_path.name)
        write_jsonl(tmp, sorted(results, key=lambda r: r.sample_index))
        os.replace(tmp, self.out_path)
        self.path.unlink(missing_ok=True)


def _matches(result: Result, sample: Sample) -> bool:
    """A journaled result is reused only for the very same sample at the same line."""
    return (result.task_id, result.completion, result.completion_id) == (
        sample.task_id,
        sample.completion,
        sample.completion_id,
    )

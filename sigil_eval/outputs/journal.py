"""Durable results: each verdict is appended and flushed to a journal the moment it exists; a rerun of the
same command resumes from it; the final results file is written in input order at the end, line by line from
the journal, so a run of any size holds no results in memory (an index of 16 bytes per input line).

The journal's first line names the settings its verdicts were judged under (`fingerprint.verdict_settings`
and the problem set's digest). A rerun under other settings (another timeout, clippy mode, evaluator version…)
does not resume: the old journal is moved aside (`.journal.stale`) and every sample is judged again."""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec
import structlog

from sigil_eval.inputs.jsonl import encode_line
from sigil_eval.records import CrateTaskResult, Result, Sample

log = structlog.get_logger("sigil_eval")


class _Header(msgspec.Struct):
    journal_settings: dict[str, Any]


class _Identity(msgspec.Struct):
    """The fields of a journaled Result that say which sample it is for (decoding only these is fast)."""

    sample_index: int
    task_id: str
    completion: str
    completion_id: int | str | None = None


_decode_identity = msgspec.json.Decoder(_Identity).decode


def _identity(task_id: str, completion: str, completion_id: int | str | None) -> int:
    digest = hashlib.blake2b(msgspec.json.encode([task_id, completion, completion_id]), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class Journal:
    def __init__(self, out_path: Path, settings: dict[str, Any]) -> None:
        self.out_path = out_path
        self.path = out_path.with_name(out_path.name + ".journal")
        self.settings = settings
        self.stale: list[str] = []  # settings that differed from an earlier run's journal (moved aside)
        self.resumed = 0  # results of an earlier run kept by `resumes`
        self._handle: IO[bytes] | None = None
        # by sample index: the journal offset of its latest result (-1: none), that result's sample identity,
        # and whether the result belongs in this run's results file (resumed or judged now)
        self._offsets = array("q")
        self._identities = array("q")
        self._live = bytearray()

    def _grow(self, index: int) -> None:
        if index >= len(self._offsets):
            more = max(index + 1 - len(self._offsets), len(self._offsets) // 2, 1024)
            self._offsets.extend([-1] * more)
            self._identities.extend([0] * more)
            self._live.extend(bytes(more))

    def load(self) -> None:
        """Index the results of an interrupted run under the same settings; a torn line (killed mid-write) is
        ignored. A journal of other settings is moved aside (and says so in the log): nothing is resumed."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            first = handle.readline()
            try:
                earlier = msgspec.json.decode(first, type=_Header).journal_settings
            except msgspec.DecodeError:
                earlier = {}
            if earlier != self.settings:
                self.stale = sorted(k for k in {*earlier, *self.settings} if earlier.get(k) != self.settings.get(k))
            else:
                offset = len(first)
                for line in handle:
                    try:
                        found = _decode_identity(line)
                    except msgspec.DecodeError:
                        found = None
                    if found is not None and found.sample_index >= 0:
                        self._grow(found.sample_index)
                        self._offsets[found.sample_index] = offset
                        self._identities[found.sample_index] = _identity(
                            found.task_id, found.completion, found.completion_id
                        )
                    offset += len(line)
        if self.stale:
            os.replace(self.path, self.path.with_name(self.path.name + ".stale"))
            log.warning(
                "journal of an earlier run under other settings moved aside; judging every sample again",
                differs=",".join(self.stale),
                journal=str(self.path) + ".stale",
            )

    def discard(self) -> None:
        """`--fresh`: forget an earlier run's journal."""
        self.path.unlink(missing_ok=True)

    def resumes(self, index: int, sample: Sample) -> bool:
        """Whether the journal holds a result for the very same sample at this input line (it then goes into
        the results file as it is)."""
        if index >= len(self._offsets) or self._offsets[index] < 0:
            return False
        if self._identities[index] != _identity(sample.task_id, sample.completion, sample.completion_id):
            return False
        if not self._live[index]:
            self._live[index] = 1
            self.resumed += 1
        return True

    def open(self) -> None:
        """Append to the journal (earlier lines stay valid, later lines win), after a torn last line if any."""
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "ab")  # noqa: SIM115 - lives for the whole run
        size = self._handle.tell()
        if size == 0:
            self._handle.write(msgspec.json.encode(_Header(self.settings)) + b"\n")
        else:
            with open(self.path, "rb") as check:
                check.seek(size - 1)
                if check.read(1) != b"\n":
                    self._handle.write(b"\n")  # end the torn line: the next result starts a line of its own
        self._handle.flush()

    def append(self, result: Result | CrateTaskResult) -> None:
        assert self._handle is not None
        offset = self._handle.tell()
        self._handle.write(encode_line(result))
        self._handle.flush()
        index = result.sample_index
        self._grow(index)
        self._offsets[index] = offset
        self._identities[index] = _identity(result.task_id, result.completion, result.completion_id)
        self._live[index] = 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def results(self) -> Iterator[bytes]:
        """This run's result lines (resumed or judged now), in input order, as the journal holds them."""
        with open(self.path, "rb") as handle:
            for index, live in enumerate(self._live):
                if live:
                    handle.seek(self._offsets[index])
                    yield handle.readline()

    def finish(self) -> None:
        """Write the ordered results file atomically, then drop the journal."""
        self.close()
        tmp = self.out_path.with_name(".tmp-" + self.out_path.name)
        with open(tmp, "wb") as out:
            out.writelines(self.results())
        os.replace(tmp, self.out_path)
        self.path.unlink(missing_ok=True)

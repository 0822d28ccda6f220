"""Durable results: each verdict is appended and flushed to a journal the moment it exists; a rerun of the
same command resumes from it; the final results file is written in input order at the end."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import msgspec

from sigil_eval.jsonl import encode_line, write_jsonl
from sigil_eval.records import Result, Sample

_decoder = msgspec.json.Decoder(Result)


class Journal:
    def __init__(self, out_path: Path) -> None:
        self.out_path = out_path
        self.path = out_path.with_name(out_path.name + ".journal")
        self._handle: IO[bytes] | None = None

    def load(self) -> dict[int, Result]:
        """Results of an interrupted run; a torn last line (killed mid-write) is ignored."""
        done: dict[int, Result] = {}
        if not self.path.exists():
            return done
        with open(self.path, "rb") as handle:
            for line in handle:
                try:
                    result = _decoder.decode(line)
                except msgspec.DecodeError:
                    continue
                done[result.sample_index] = result
        return done

    def open(self) -> None:
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "ab")  # noqa: SIM115 - lives for the whole run

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


def matches(result: Result, sample: Sample) -> bool:
    """A journaled result is reused only for the very same sample at the same line."""
    return (result.task_id, result.completion, result.completion_id) == (
        sample.task_id,
        sample.completion,
        sample.completion_id,
    )

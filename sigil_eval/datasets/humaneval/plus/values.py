"""Plus inputs stored as language-neutral values: JSON, with the two Python shapes JSON lacks tagged —
a tuple as `{"tuple": [...]}`, a dict as `{"map": [[key, value], ...]}` (keys of any type, in insertion order).
Floats are written as the shortest text that reads back to the same double, so nothing is rounded."""

from __future__ import annotations

from typing import Any


def to_neutral(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"tuple": [to_neutral(item) for item in value]}
    if isinstance(value, dict):
        return {"map": [[to_neutral(k), to_neutral(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [to_neutral(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"no neutral form for a {type(value).__name__}")


def from_neutral(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"tuple"}:
            return tuple(from_neutral(item) for item in value["tuple"])
        if set(value) == {"map"}:
            return {_key(from_neutral(k)): from_neutral(v) for k, v in value["map"]}
        raise ValueError(f"an object that is neither a tuple nor a map: {sorted(value)}")
    if isinstance(value, list):
        return [from_neutral(item) for item in value]
    return value


def _key(value: Any) -> Any:
    return tuple(_key(v) for v in value) if isinstance(value, list) else value

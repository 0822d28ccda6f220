"""Cases whose arguments travel as data (`Case.args`): the plus inputs. Their test is one loop that reads each
case's arguments from a string constant (`oracle.rs`'s `Data` and `Input`) and records what the entry point
returned, so the code compiled is the same for 4 cases or 400: only the constant grows.

A parameter can take data when it is an owned value of a type `Input` reads (integers, floats, bool, char,
`String`, `Vec`, `Option`, tuples of 2 to 4, `HashMap`), a reference to one (`&str`, `&[T]`, `&Vec<T>`,
`&mut Vec<T>`, read as the owned value and lent), or a list of `&str` (read as strings, passed as a view of
them). Anything else (a reference inside another type, a generic, an `impl Trait`) keeps its cases as calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sigil_eval.program import rust_values
from sigil_eval.program.rust_lexer import code_mask, matching_brace, split_top_level
from sigil_eval.program.rust_types import RustType
from sigil_eval.program.signatures import entry_head

_READABLE = rust_values.INTEGER_TYPES | rust_values.FLOAT_TYPES | {"bool", "char", "String"}


@dataclass(frozen=True, slots=True)
class Parameter:
    borrow: str  # "", "&" or "&mut "
    owned: RustType  # the value read from the data
    str_view: bool = False  # a list of `&str`: read as `Vec<String>`, passed as a `Vec<&str>` borrowing it


def parameter(text: str) -> Parameter:
    """How an argument of the parameter type `text` is read; ValueError when it cannot be."""
    text = " ".join(text.split())
    borrow = ""
    if text.startswith("&"):
        text = text[1:].lstrip()
        text = re.sub(r"^'\w+\s*", "", text)  # a lifetime
        borrow = "&"
        if text.startswith("mut "):
            borrow, text = "&mut ", text[4:].lstrip()
        if text == "str":
            text = "String"
        elif text.startswith("[") and text.endswith("]"):
            text = f"Vec<{text[1:-1]}>"
    str_view = re.fullmatch(r"Vec<\s*&\s*(?:'\w+\s*)?str\s*>", text) is not None
    owned = rust_values.result_type("Vec<String>" if str_view else text)
    _check_readable(owned)
    if borrow == "&mut " and (owned.name != "Vec" or str_view):
        raise ValueError(f"a &mut {text} parameter")
    return Parameter(borrow, owned, str_view)


def _check_readable(ty: RustType) -> None:
    if ty.name == "tuple" and len(ty.args) > 4:
        raise ValueError("tuples of more than 4 items")
    if ty.name not in _READABLE and ty.name not in ("Vec", "Option", "tuple", "HashMap"):
        raise ValueError(f"arguments of type {ty.name}")
    for arg in ty.args:
        _check_readable(arg)


def parameters(code_prefix: str, entry_point: str) -> tuple[Parameter, ...]:
    """The entry point's parameters, as the prompt declares them; ValueError when one cannot take data."""
    head = entry_head(code_prefix, entry_point)
    if head is None:
        raise ValueError(f"no signature of {entry_point} in the prompt")
    mask = code_mask(head[0])
    open_at = re.search(rf"\bfn\s+{re.escape(entry_point)}\s*(<[^()]*>)?\s*\(", mask)
    if open_at is None or open_at.group(1):
        raise ValueError("a generic entry point")
    close = matching_brace(mask, open_at.end() - 1)
    if close is None:
        raise ValueError("an unclosed parameter list")
    found = []
    for param in split_top_level(head[0][open_at.end() : close]):
        name, colon, ty = param.partition(":")
        if not colon or "impl" in ty.split() or not re.fullmatch(r"\s*(?:mut\s+)?\w+\s*", name):
            raise ValueError(f"the parameter {param.strip()!r}")  # a pattern, `self`, a generic
        found.append(parameter(ty))
    return tuple(found)


def encode(args: Sequence[Any], params: Sequence[Parameter]) -> str:
    """One case's arguments as the data line `Data` reads; ValueError when a value does not fit its type."""
    if len(args) != len(params):
        raise ValueError(f"{len(args)} arguments for {len(params)} parameters")
    for value, param in zip(args, params, strict=True):
        if not _fits(value, param.owned):
            raise ValueError(f"{json.dumps(value)[:80]} is not a {param.owned}")
    return json.dumps(list(args), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _fits(value: Any, ty: RustType) -> bool:
    """Whether `value` (canonical JSON, `oracle.canonical`) is a value of `ty`, as `Input` would read it."""
    name = ty.name
    if name in rust_values.INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        low, high = rust_values.integer_range(name)
        return low <= value <= high
    if name in rust_values.FLOAT_TYPES:
        return isinstance(value, float) and value == value and abs(value) != float("inf")
    if name == "bool":
        return isinstance(value, bool)
    if name in ("String", "char"):
        if not isinstance(value, str) or (name == "char" and len(value) != 1):
            return False
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in value)  # Rust strings hold no lone surrogates
    if name == "Option":
        return value is None or _fits(value, ty.args[0])
    if name == "Vec":
        return isinstance(value, list) and all(_fits(item, ty.args[0]) for item in value)
    if name == "tuple":
        return (
            isinstance(value, list)
            and len(value) == len(ty.args)
            and all(_fits(v, t) for v, t in zip(value, ty.args, strict=True))
        )
    if name == "HashMap":
        return isinstance(value, list) and all(
            isinstance(pair, list) and len(pair) == 2 and _fits(pair[0], ty.args[0]) and _fits(pair[1], ty.args[1])
            for pair in value
        )
    return False


def raw_string(text: str) -> str:
    """`text` as a Rust raw string literal (with as many `#` as it needs)."""
    hashes = "#"
    while f'"{hashes}' in text:
        hashes += "#"
    return f'r{hashes}"{text}"{hashes}'

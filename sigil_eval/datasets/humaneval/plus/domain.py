"""A problem's input domain, inferred from its base inputs: what every base value at one argument shares — its
kind, sign, a range around the values seen, the character classes of strings, non-emptiness and length of
sequences, sortedness and uniqueness of lists, recursively for elements. An input the mutator grows is kept only
where every argument lies in that domain (EvalPlus writes contracts by hand; here they are read off the data)."""

from __future__ import annotations

import itertools
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# a range around the values seen: their span (at least this much) on each side
MIN_WIDENING = 10
# string characters by class: one character of a class seen admits the class
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
# a vocabulary: strings (or the space-separated tokens of strings) drawn from at most this many distinct values,
# each seen at least twice on average, admit only those values (operators, note names, number words)
VOCABULARY = 12


@dataclass(frozen=True, slots=True)
class Shape:
    """What every base value at one place shares."""

    kind: str  # "bool", "int", "float", "str", "list", "tuple", "dict", "none" or "any" (mixed kinds)
    low: float | None = None  # numbers: the admitted range
    high: float | None = None
    chars: frozenset[str] | None = None  # strings: the admitted characters
    choices: frozenset[str] | None = None  # strings: the only values admitted (a vocabulary)
    tokens: frozenset[str] | None = None  # strings: the only space-separated tokens admitted
    token_length: int | None = None  # strings: the longest token admitted (every base token was one character)
    # strings: no base value began or ended with a space or held two in a row (words separated by single spaces)
    single_spaced: bool = False
    nonempty: bool = False  # sequences: every base value had an element
    max_length: int | None = None
    ascending: bool = False  # lists: every base list of two or more was sorted
    unique: bool = False  # lists: … had no repeated element
    element: Shape | None = None  # lists: every element; dicts: every value
    key: Shape | None = None  # dicts: every key
    items: tuple[Shape, ...] = ()  # tuples: by position


def kind_of(value: Any) -> str:
    if value is None:
        return "none"
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, types):
            return kind
    containers: dict[type, str] = {list: "list", tuple: "tuple", dict: "dict"}
    return containers.get(type(value), "any")


def infer(values: Sequence[Any]) -> Shape:
    """The shape every one of `values` fits (an int among floats counts as a float, as Python's do)."""
    kinds = {kind_of(v) for v in values}
    if kinds == {"int", "float"}:
        kinds = {"float"}
    if len(kinds) != 1:
        return Shape("any")
    kind = kinds.pop()
    if kind in ("int", "float"):
        return _number(kind, [float(v) for v in values])
    if kind == "str":
        tokens = [token for text in values for token in text.split(" ")] if any(" " in v for v in values) else []
        single = len(tokens) >= 3 and all(len(token) == 1 for token in tokens)
        return Shape(
            "str",
            chars=_chars(values),
            choices=_vocabulary(values),
            tokens=None if single else _vocabulary(tokens),
            token_length=1 if single else None,
            single_spaced=all("" not in text.split(" ") for text in values if text),
            **_lengths(values),
        )
    if kind == "list":
        elements = [e for v in values for e in v]
        ordered = [v for v in values if len(v) >= 2]
        return Shape(
            "list",
            element=infer(elements) if elements else None,
            ascending=bool(ordered) and all(_ascending(v) for v in ordered),
            unique=bool(ordered) and all(_unique(v) for v in ordered),
            **_lengths(values),
        )
    if kind == "tuple":
        widths = {len(v) for v in values}
        if len(widths) != 1:
            return Shape("any")
        return Shape("tuple", items=tuple(infer([v[i] for v in values]) for i in range(widths.pop())))
    if kind == "dict":
        keys = [k for v in values for k in v]
        return Shape(
            "dict",
            key=infer(keys) if keys else None,
            element=infer([v[k] for v in values for k in v]) if keys else None,
            **_lengths(values),
        )
    return Shape(kind)


def _number(kind: str, seen: list[float]) -> Shape:
    low, high = min(seen), max(seen)
    widening = max(high - low, MIN_WIDENING)
    admitted_low = low - widening
    if low >= 0:
        admitted_low = 1 if low >= 1 and kind == "int" else 0  # a sign every base value shares holds
    return Shape(kind, low=admitted_low, high=high + widening)


def _chars(values: Sequence[str]) -> frozenset[str]:
    seen = {c for text in values for c in text}
    admitted = set(seen)
    for klass in CLASSES:
        if seen & set(klass):
            admitted |= set(klass)
    return frozenset(admitted)


def _vocabulary(values: Sequence[str]) -> frozenset[str] | None:
    distinct = frozenset(values)
    return distinct if values and len(distinct) <= VOCABULARY and len(values) >= 2 * len(distinct) else None


def _lengths(values: Sequence[Any]) -> dict[str, Any]:
    return {"nonempty": all(len(v) for v in values), "max_length": 2 * max(map(len, values), default=0) + 4}


def _ascending(value: list[Any]) -> bool:
    try:
        return all(a <= b for a, b in itertools.pairwise(value))
    except TypeError:
        return False


def _unique(value: list[Any]) -> bool:
    return len({repr(e) for e in value}) == len(value)


def admits(shape: Shape | None, value: Any) -> bool:
    """Whether `value` lies in `shape` (None: no constraint, an empty base container said nothing)."""
    if shape is None or shape.kind == "any":
        return True
    kind = kind_of(value)
    if kind != shape.kind and not (shape.kind == "float" and kind == "int"):
        return False
    if kind in ("int", "float"):
        return (shape.low is None or value >= shape.low) and (shape.high is None or value <= shape.high)
    if kind in ("str", "list", "dict") and not _length_fits(shape, value):
        return False
    if kind == "str":
        return _string_fits(shape, value)
    if kind == "list":
        if len(value) >= 2 and ((shape.ascending and not _ascending(value)) or (shape.unique and not _unique(value))):
            return False
        return all(admits(shape.element, e) for e in value)
    if kind == "tuple":
        return len(value) == len(shape.items) and all(admits(s, v) for s, v in zip(shape.items, value, strict=True))
    if kind == "dict":
        return all(admits(shape.key, k) and admits(shape.element, v) for k, v in value.items())
    return True


def _string_fits(shape: Shape, value: str) -> bool:
    if shape.chars is not None and not set(value) <= shape.chars:
        return False
    if shape.choices is not None and value not in shape.choices:
        return False
    tokens = value.split(" ")
    if shape.tokens is not None and not (value == "" or set(tokens) <= shape.tokens):
        return False
    if shape.single_spaced and value and "" in tokens:
        return False
    return shape.token_length is None or value == "" or all(len(token) == shape.token_length for token in tokens)


def _length_fits(shape: Shape, value: Any) -> bool:
    return not (shape.nonempty and not value) and (shape.max_length is None or len(value) <= shape.max_length)


@dataclass(frozen=True, slots=True)
class Domain:
    """A problem's domain: one shape per argument."""

    arguments: tuple[Shape, ...]
    # arguments (by position) that are lists of one length in every base input (two arrays of scores and guesses)
    same_length: tuple[int, ...] = ()

    @classmethod
    def of(cls, base: Sequence[tuple[Any, ...]]) -> Domain:
        width = max(map(len, base), default=0)
        lists = [i for i in range(width) if all(i < len(args) and isinstance(args[i], list) for args in base)]
        paired = len(lists) >= 2 and all(len({len(args[i]) for i in lists}) == 1 for args in base)
        return cls(
            tuple(infer([args[i] for args in base if i < len(args)]) for i in range(width)),
            tuple(lists) if paired else (),
        )

    def admits(self, args: tuple[Any, ...]) -> bool:
        if self.same_length and len({len(args[i]) for i in self.same_length}) != 1:
            return False
        return len(args) == len(self.arguments) and all(
            admits(shape, value) for shape, value in zip(self.arguments, args, strict=True)
        )

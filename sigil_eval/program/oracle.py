"""Out-of-process judging, for problems whose tests are recorded (arguments, result) pairs (`Problem.cases`).

The compiled test calls the entry point with each case's arguments and hands the value to `runner/oracle.rs`,
which writes one JSON line `case<TAB>value` to a channel the evaluator reads (the process's stdin, opened
write-only on a root-owned pipe or file); the evaluator compares. The
expected values never enter the sample's process, its source or its binary, so no sample can read them: not
from files, not from `/proc/self/exe`, not by scanning its own memory.

The value is pinned to the problem's result type spelled with absolute paths (`::std::vec::Vec<…>`), so an
answer cannot return a type of its own whose `PartialEq` always holds; serialising it uses std's own types only.
"""

from __future__ import annotations

import json
import math
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from sigil_eval.program import case_data, rust_values
from sigil_eval.program.rust_types import RustType
from sigil_eval.program.signatures import signature_pin
from sigil_eval.program.std_macros import pin_std_macros
from sigil_eval.records import Case, Problem

ORACLE_RS = Path(__file__).parents[1] / "runner" / "oracle.rs"
ORACLE_MODULE = "__sigil_oracle"
PATH_PLACEHOLDER = "__SIGIL_ORACLE_PATH__"  # where the module sits differs per runner path
VALUES_CAP = 256 << 10  # bytes of values read per sample; more is a failure in both paths
FLOAT_TOLERANCE = 1e-6
F32_RELATIVE = 2.0**-20  # 16 units in the last place of an f32: a few roundings of single-precision arithmetic

_PINNED = {
    **{name: f"::core::primitive::{name}" for name in sorted(rust_values.INTEGER_TYPES | rust_values.FLOAT_TYPES)},
    "bool": "::core::primitive::bool",
    "char": "::core::primitive::char",
    "str": "::core::primitive::str",
    "String": "::std::string::String",
    "Vec": "::std::vec::Vec",
    "Option": "::core::option::Option",
    "HashMap": "::std::collections::HashMap",
}


def result_type(text: str) -> RustType:
    """The result type, if the oracle can carry its values; ValueError otherwise."""
    ty = rust_values.result_type(text)
    _check_supported(ty, nested_option=False)
    return ty


def _check_supported(ty: RustType, *, nested_option: bool) -> None:
    if ty.name not in _PINNED and ty.name not in ("tuple", "&"):
        raise ValueError(f"the oracle cannot carry values of type {ty.name}")
    if ty.name == "Option" and nested_option:
        raise ValueError("nested Option values are ambiguous in JSON")
    if ty.name == "tuple" and not 2 <= len(ty.args) <= 6:
        raise ValueError("the oracle carries tuples of 2 to 6 items")
    if ty.name == "&" and ty.args[0].name != "str":
        raise ValueError("the oracle carries references only to str")
    for arg in ty.args:
        _check_supported(arg, nested_option=ty.name == "Option")


def tolerant(ty: RustType) -> bool:
    """f64 results, alone or in a Vec, compare within FLOAT_TOLERANCE (as the Python checks do), f32 ones within
    `F32_RELATIVE` of the value besides (the expected values are Python's doubles); any other value compares
    exactly."""
    floats = ("f64", "f32")
    return ty.name in floats or (ty.name == "Vec" and ty.args[0].name in floats)


_NUMBERS = rust_values.INTEGER_TYPES | rust_values.FLOAT_TYPES


def pinned(ty: RustType, *, numbers: str = "") -> str:
    """The type spelled with absolute paths only: no name a sample defines can stand for it. `numbers="_"`: with
    its integer and float types left to inference."""
    if ty.name == "tuple":
        return "(" + ", ".join(pinned(arg, numbers=numbers) for arg in ty.args) + ")"
    if ty.name == "&":
        return "&" + pinned(ty.args[0], numbers=numbers)
    if numbers and ty.name in _NUMBERS:
        return numbers
    base = _PINNED[ty.name]
    return f"{base}<{', '.join(pinned(arg, numbers=numbers) for arg in ty.args)}>" if ty.args else base


def canonical(value: Any, ty: RustType) -> Any:
    """A Python value of type `ty` as the JSON the oracle compares against (maps as [key, value] pairs)."""
    name = ty.name
    if name == "f64":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("JSON cannot hold a non-finite expected value")
        return number
    if name == "Option":
        return None if value is None else canonical(value, ty.args[0])
    if name == "tuple":
        return [canonical(v, t) for v, t in zip(value, ty.args, strict=True)]
    if name == "Vec":
        return [canonical(v, ty.args[0]) for v in value]
    if name == "HashMap":
        return [[canonical(k, ty.args[0]), canonical(v, ty.args[1])] for k, v in value.items()]
    return value


def compiled_tests(problem: Problem, *, pin_signature: bool = True) -> str:
    """The tests a sample of `problem` is compiled with: its calls-only oracle test, else its own `test` with its
    std macros named by path (a sample's `macro_rules! assert_eq` must not replace them) and, after it, the
    entry point pinned to its declared type (`signatures.signature_pin`; the shared tests take the entry point
    as a parameter of that type and need no pin)."""
    if not problem.cases:
        pin = (
            signature_pin(problem.code_prefix, problem.entry_point, problem.prelude)
            if pin_signature and problem.entry_point
            else None
        )
        tests = pin_std_macros(problem.test)
        return tests if pin is None else tests + ("" if tests.endswith("\n") else "\n") + pin
    data = [case for case in problem.cases if case.args is not None]
    params = case_data.parameters(problem.code_prefix, problem.entry_point) if data else ()
    return test_module(problem.entry_point, result_type(problem.result_type), problem.cases, params)


def check_cases(problem: Problem) -> None:
    """ValueError, naming the case, unless every case has a call or arguments (not both), the ones with arguments
    come last, and their arguments fit the entry point's parameters."""
    for i, case in enumerate(problem.cases):
        if bool(case.call) == (case.args is not None):
            raise ValueError(f"field 'cases': case {i} needs either `call` or `args`")
    try:
        compiled_tests(problem)
    except ValueError as exc:
        raise ValueError(f"field 'cases': {exc}") from None


def test_module(
    entry_point: str, ty: RustType, cases: tuple[Case, ...], params: tuple[case_data.Parameter, ...] = ()
) -> str:
    """The test the sample is compiled with: calls only; `PATH_PLACEHOLDER` names the oracle module. Cases with
    arguments as data (after the others) are one loop over a string constant (`case_data`)."""
    called = [case for case in cases if case.args is None]
    data = cases[len(called) :]
    if any(case.args is None for case in data):
        raise ValueError("cases with arguments as data must come after the called ones")
    calls = "".join(
        # the type argument pins the value's type; the call's temporaries live to the end of the statement, as
        # in the assert it came from (a `let` would drop them before a borrowed result is recorded)
        f"        {PATH_PLACEHOLDER}::record::<{pinned(ty)}>({i}, &{case.call});\n"
        for i, case in enumerate(called)
    )
    if data:
        calls += _data_loop(entry_point, ty, data, params, first=len(called))
    return (
        "\n#[cfg(test)]\nmod tests {\n    #[allow(unused_imports)]\n    use super::*;\n\n"
        f"    #[test]\n    fn test_{entry_point}() {{\n        {PATH_PLACEHOLDER}::open_sink();\n{calls}    }}\n}}\n"
    )


def _data_loop(
    entry_point: str, ty: RustType, cases: tuple[Case, ...], params: tuple[case_data.Parameter, ...], first: int
) -> str:
    """Reads each case's arguments into the parameters' owned types (pinned) and records the entry point's value
    on them, case number `first` onwards."""
    lines = "\n".join(case_data.encode(case.args or (), params) for case in cases)
    oracle = PATH_PLACEHOLDER
    data = f"{oracle}::Data"
    # the numbers take the types the entry point declares (inferred from the call, through a borrow too: an answer
    # that declares `&[i32]` where the set says `&[i64]` compiles as it does with literal calls); the rest is the
    # set's owned type. Every call is by path: no method a sample's trait adds is picked instead.
    reads = "".join(
        f"            let {'mut ' if p.borrow == '&mut ' else ''}__sigil_arg{i}"
        + ("" if p.owned.name in _NUMBERS else f": {pinned(p.owned, numbers='_')}")
        + f" = {data}::argument(&mut __sigil_data);\n"
        for i, p in enumerate(params)
    )
    reads += "".join(
        # fully qualified: no method a sample's trait adds to `Vec` or `&String` is picked instead
        f"            let __sigil_view{i}: ::std::vec::Vec<&::core::primitive::str> = ::core::iter::Iterator::collect("
        f"::core::iter::Iterator::map(<[::std::string::String]>::iter(&__sigil_arg{i}), "
        f"::std::string::String::as_str));\n"
        for i, p in enumerate(params)
        if p.str_view
    )
    arguments = ", ".join(f"{p.borrow}__sigil_{'view' if p.str_view else 'arg'}{i}" for i, p in enumerate(params))
    return (
        f"        let mut __sigil_data = {data}::new({case_data.raw_string(lines)});\n"
        f"        let mut __sigil_case: ::core::primitive::usize = {first};\n"
        f"        while {data}::next_case(&mut __sigil_data) {{\n"
        f"{reads}"
        f"            {data}::end_case(&mut __sigil_data);\n"
        f"            {oracle}::record::<{pinned(ty)}>(__sigil_case, &{entry_point}({arguments}));\n"
        "            __sigil_case += 1;\n"
        "        }\n"
    )


def place(tests: str, module_path: str) -> str:
    return tests.replace(PATH_PLACEHOLDER, module_path)


@lru_cache(maxsize=4)
def inline_module(name: str) -> str:
    """The oracle as an inline module (the isolated path; the batch crate has it as a file). Read once."""
    return f"\n#[allow(dead_code)]\nmod {name} {{\n{ORACLE_RS.read_text()}}}\n"


def _read(values: bytes, total_bytes: int, count: int, *, capped: bool = True) -> dict[int, Any] | str:
    """The recorded values by case number, or why they cannot be read. `capped=False`: what was kept of values
    past the cap is read (the base cases of a plus run come first: the plus values must not decide them)."""
    if total_bytes > VALUES_CAP:
        if capped:
            return f"the returned values exceed {VALUES_CAP} bytes"
        values = values[: values.rfind(b"\n") + 1]  # the last line kept may be cut
    got: dict[int, Any] = {}
    for line in values.splitlines():
        number, tab, text = line.partition(b"\t")
        try:
            index = int(number)
            value = json.loads(text)
        except ValueError:
            return "unreadable value record (output written to the oracle channel?)"
        if not tab or index in got or not 0 <= index < count:
            return f"unexpected value record for case {number.decode(errors='replace')}"
        got[index] = value
    return got


class ValueCheck(NamedTuple):
    """The recorded values against every case, read and compared once."""

    right: int  # cases that got exactly one value, and the expected one (none when the record is unreadable)
    mismatch: str | None  # why the values fail the cases (the first case, in order, missing or wrong); None: all right
    first_wrong: str | None  # that first failure when it is a wrong value, every case before it recorded and right


def check_values(cases: tuple[Case, ...], ty: RustType, values: bytes, total_bytes: int) -> ValueCheck:
    got = _read(values, total_bytes, len(cases))
    if isinstance(got, str):
        return ValueCheck(0, got, None)
    right, first, wrong = 0, None, False
    for i, case in enumerate(cases):
        if i not in got:
            first = first or f"case {i} recorded no value"
        elif compares(case, got[i], ty):
            right += 1
        elif first is None:
            first, wrong = _wrong(i, case, got[i]), True
    return ValueCheck(right, first, first if wrong else None)


def mismatch(
    cases: tuple[Case, ...], ty: RustType, values: bytes, total_bytes: int, *, only_first: int | None = None
) -> str | None:
    """Why the recorded values fail the cases (the first `only_first` of them, if given), or None when every one
    got exactly one matching value."""
    if only_first is None:
        return check_values(cases, ty, values, total_bytes).mismatch
    got = _read(values, total_bytes, len(cases), capped=False)
    if isinstance(got, str):
        return got
    for i, case in enumerate(cases[:only_first]):
        if i not in got:
            return f"case {i} recorded no value"
        if not compares(case, got[i], ty):
            return _wrong(i, case, got[i])
    return None


def first_wrong_value(cases: tuple[Case, ...], ty: RustType, values: bytes, total_bytes: int) -> str | None:
    """For a run that stopped early: the first case, in order, whose recorded value is wrong, when every case
    before it was recorded and right (where in-process asserts would have failed first); else None."""
    return check_values(cases, ty, values, total_bytes).first_wrong


def _wrong(i: int, case: Case, actual: Any) -> str:
    wanted = {
        "rust_ne": "anything but ",
        "abs_lt": "within {t} of ",
        "abs_le": "within {t} of ",
        "poly_root": "a root (|poly| < {t}) of the polynomial ",
    }
    how = wanted.get(case.compare, "").format(t=case.tolerance)
    return f"case {i}: {describe(case)} returned {_short(actual)}, expected {how}{_short(case.expected)}"


def describe(case: Case) -> str:
    """The case's call as a reader would write it: its Rust call, or its arguments as data."""
    if case.args is None:
        return case.call
    return "the call with arguments " + ", ".join(_short(arg) for arg in case.args)


def compares(case: Case, actual: Any, ty: RustType) -> bool:
    """Whether a returned value satisfies the case: `eq`, the set's equality (f64 within FLOAT_TOLERANCE, as the
    built-in set's Python checks); `rust_eq` / `rust_ne`, Rust's `==` / `!=` on the type; `abs_lt` / `abs_le`,
    |actual - expected| < (or <=) the case's tolerance, in the type's float arithmetic."""
    if case.compare == "eq":
        return _matches(actual, case.expected, ty, tolerant=tolerant(ty))
    if case.compare in ("rust_eq", "rust_ne"):
        equal = _matches(actual, case.expected, ty, tolerant=False)
        return equal if case.compare == "rust_eq" else not equal and _of_type(actual, ty)
    if ty.name not in rust_values.FLOAT_TYPES or isinstance(actual, bool) or not isinstance(actual, int | float):
        return False  # a value of another type, or NaN or an infinity (never within a tolerance)
    if case.compare == "poly_root":
        return abs(polynomial(case.expected, float(actual))) < case.tolerance
    difference = abs(_as(ty, _as(ty, float(actual)) - _as(ty, float(case.expected))))
    tolerance = _as(ty, case.tolerance)  # the bound is a literal of the result's float type too
    return difference < tolerance if case.compare == "abs_lt" else difference <= tolerance


def polynomial(coefficients: list[float], x: float) -> float:
    """xs[0] + xs[1]·x + … + xs[n]·xⁿ, summed in order as HumanEval/32's `poly` does (with `powi`)."""
    total = 0.0
    for power, coefficient in enumerate(coefficients):
        total += coefficient * x**power
    return total


def _as(ty: RustType, number: float) -> float:
    """`number` rounded to the float type (f32 arithmetic rounds every step to single precision)."""
    return float(struct.unpack("f", struct.pack("f", number))[0]) if ty.name == "f32" else number


_NON_FINITE = ("NaN", "inf", "-inf")


def _of_type(actual: Any, ty: RustType) -> bool:
    """Whether a recorded value has the shape of `ty` (a record of another shape is no `!=`)."""
    name = ty.name
    if name == "&":
        return _of_type(actual, ty.args[0])
    if name in rust_values.FLOAT_TYPES:
        return actual in _NON_FINITE or (isinstance(actual, int | float) and not isinstance(actual, bool))
    if name in rust_values.INTEGER_TYPES:
        return isinstance(actual, int) and not isinstance(actual, bool)
    if name == "bool":
        return isinstance(actual, bool)
    if name in ("char", "String", "str"):
        return isinstance(actual, str)
    if name == "Option":
        return actual is None or _of_type(actual, ty.args[0])
    if name == "Vec":
        return isinstance(actual, list) and all(_of_type(item, ty.args[0]) for item in actual)
    if name == "tuple":
        return (
            isinstance(actual, list)
            and len(actual) == len(ty.args)
            and all(_of_type(item, arg) for item, arg in zip(actual, ty.args, strict=True))
        )
    if name == "HashMap":
        return isinstance(actual, list) and all(
            isinstance(pair, list)
            and len(pair) == 2
            and _of_type(pair[0], ty.args[0])
            and _of_type(pair[1], ty.args[1])
            for pair in actual
        )
    return False


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "…"


def _matches(actual: Any, expected: Any, ty: RustType, *, tolerant: bool) -> bool:
    name = ty.name
    if name == "&":
        return _matches(actual, expected, ty.args[0], tolerant=tolerant)
    if name in rust_values.FLOAT_TYPES:
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False  # NaN and the infinities arrive as strings: equal to no expected value
        if tolerant and name == "f32":
            return bool(abs(float(actual) - expected) < FLOAT_TOLERANCE + F32_RELATIVE * abs(expected))
        if tolerant:
            return bool(abs(float(actual) - expected) < FLOAT_TOLERANCE)
        return bool(_as(ty, float(actual)) == _as(ty, float(expected)))
    if name in rust_values.INTEGER_TYPES:
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == expected
    if name == "bool":
        return isinstance(actual, bool) and actual == expected
    if name in ("char", "String", "str"):
        return isinstance(actual, str) and actual == expected
    if name == "Option":
        if expected is None or actual is None:
            return actual is None and expected is None
        return _matches(actual, expected, ty.args[0], tolerant=False)
    if name in ("Vec", "tuple"):
        if not (isinstance(actual, list) and len(actual) == len(expected)):
            return False
        types = ty.args if name == "tuple" else (ty.args[0],) * len(expected)
        return all(_matches(a, e, t, tolerant=tolerant) for a, e, t in zip(actual, expected, types, strict=True))
    if name == "HashMap":
        return _map_matches(actual, expected, ty)
    return False


def _map_matches(actual: Any, expected: Any, ty: RustType) -> bool:
    if not isinstance(actual, list):
        return False
    want = {json.dumps(k): v for k, v in expected}
    seen: set[str] = set()
    for pair in actual:
        if not (isinstance(pair, list) and len(pair) == 2):
            return False
        key = json.dumps(pair[0])
        if key in seen or key not in want or not _matches(pair[1], want[key], ty.args[1], tolerant=False):
            return False
        seen.add(key)
    return len(seen) == len(want)

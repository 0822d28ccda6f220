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
from functools import lru_cache
from pathlib import Path
from typing import Any

from sigil_eval.datasets.humaneval.rust_types import RustType, parse_type
from sigil_eval.program.std_macros import pin_std_macros
from sigil_eval.records import Case, Problem

ORACLE_RS = Path(__file__).parents[1] / "runner" / "oracle.rs"
ORACLE_MODULE = "__sigil_oracle"
PATH_PLACEHOLDER = "__SIGIL_ORACLE_PATH__"  # where the module sits differs per runner path
VALUES_CAP = 256 << 10  # bytes of values read per sample; more is a failure in both paths
FLOAT_TOLERANCE = 1e-6

_PINNED = {
    "i64": "::core::primitive::i64",
    "f64": "::core::primitive::f64",
    "bool": "::core::primitive::bool",
    "char": "::core::primitive::char",
    "String": "::std::string::String",
    "Vec": "::std::vec::Vec",
    "Option": "::core::option::Option",
    "HashMap": "::std::collections::HashMap",
}


def result_type(text: str) -> RustType:
    """The result type, if the oracle can carry its values; ValueError otherwise."""
    ty = parse_type(text)
    _check_supported(ty, nested_option=False)
    return ty


def _check_supported(ty: RustType, *, nested_option: bool) -> None:
    if ty.name not in _PINNED and ty.name != "tuple":
        raise ValueError(f"the oracle cannot carry values of type {ty.name}")
    if ty.name == "Option" and nested_option:
        raise ValueError("nested Option values are ambiguous in JSON")
    if ty.name == "tuple" and not 2 <= len(ty.args) <= 4:
        raise ValueError("the oracle carries tuples of 2 to 4 items")
    for arg in ty.args:
        _check_supported(arg, nested_option=ty.name == "Option")


def tolerant(ty: RustType) -> bool:
    """f64 results, alone or in a Vec, compare within FLOAT_TOLERANCE (as the Python checks do); any other
    value compares exactly."""
    return ty.name == "f64" or (ty.name == "Vec" and ty.args[0].name == "f64")


def pinned(ty: RustType) -> str:
    if ty.name == "tuple":
        return "(" + ", ".join(pinned(arg) for arg in ty.args) + ")"
    base = _PINNED[ty.name]
    return f"{base}<{', '.join(pinned(arg) for arg in ty.args)}>" if ty.args else base


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


def compiled_tests(problem: Problem) -> str:
    """The tests a sample of `problem` is compiled with: its calls-only oracle test, else its own `test` with its
    std macros named by path (a sample's `macro_rules! assert_eq` must not replace them)."""
    if not problem.cases:
        return pin_std_macros(problem.test)
    return test_module(problem.entry_point, result_type(problem.result_type), problem.cases)


def test_module(entry_point: str, ty: RustType, cases: tuple[Case, ...]) -> str:
    """The test the sample is compiled with: calls only; `PATH_PLACEHOLDER` names the oracle module."""
    calls = "".join(
        f"        {PATH_PLACEHOLDER}::record({i}, &{{ let value: {pinned(ty)} = {case.call}; value }});\n"
        for i, case in enumerate(cases)
    )
    return (
        "\n#[cfg(test)]\nmod tests {\n    #[allow(unused_imports)]\n    use super::*;\n\n"
        f"    #[test]\n    fn test_{entry_point}() {{\n        {PATH_PLACEHOLDER}::open_sink();\n{calls}    }}\n}}\n"
    )


def place(tests: str, module_path: str) -> str:
    return tests.replace(PATH_PLACEHOLDER, module_path)


@lru_cache(maxsize=4)
def inline_module(name: str) -> str:
    """The oracle as an inline module (the isolated path; the batch crate has it as a file). Read once."""
    return f"\n#[allow(dead_code)]\nmod {name} {{\n{ORACLE_RS.read_text()}}}\n"


def mismatch(cases: tuple[Case, ...], ty: RustType, values: bytes, total_bytes: int) -> str | None:
    """Why the recorded values fail the cases, or None when every case got exactly one matching value."""
    if total_bytes > VALUES_CAP:
        return f"the returned values exceed {VALUES_CAP} bytes"
    got: dict[int, Any] = {}
    for line in values.splitlines():
        number, tab, text = line.partition(b"\t")
        try:
            index = int(number)
            value = json.loads(text)
        except ValueError:
            return "unreadable value record (output written to the oracle channel?)"
        if not tab or index in got or not 0 <= index < len(cases):
            return f"unexpected value record for case {number.decode(errors='replace')}"
        got[index] = value
    for i, case in enumerate(cases):
        if i not in got:
            return f"case {i} recorded no value"
        if not _matches(got[i], case.expected, ty, tolerant=tolerant(ty)):
            return f"case {i}: {case.call} returned {_short(got[i])}, expected {_short(case.expected)}"
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "…"


def _matches(actual: Any, expected: Any, ty: RustType, *, tolerant: bool) -> bool:
    name = ty.name
    if name == "f64":
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        if tolerant:
            return bool(abs(float(actual) - expected) < FLOAT_TOLERANCE)
        return bool(float(actual) == expected)
    if name == "i64":
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == expected
    if name == "bool":
        return isinstance(actual, bool) and actual == expected
    if name in ("char", "String"):
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

"""Out-of-process judging: the comparison rules (pure), the problem rows that carry cases (the two runner paths
agreeing on oracle problems: `tests/integration/test_oracle_paths.py`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sigil_eval.errors import InputError
from sigil_eval.inputs.problemsets import load_problem_set, problem_from_row
from sigil_eval.program import oracle
from sigil_eval.records import Case

from ..helpers import write_jsonl


def _values(*records: tuple[int, Any]) -> bytes:
    return b"".join(f"{i}\t{json.dumps(v)}\n".encode() for i, v in records)


def _mismatch(result_type: str, expected: list[Any], values: bytes) -> str | None:
    cases = tuple(Case(call=f"f({i})", expected=e) for i, e in enumerate(expected))
    return oracle.mismatch(cases, oracle.result_type(result_type), values, len(values))


@pytest.mark.parametrize(
    ("result_type", "expected", "actual", "ok"),
    [
        ("i64", 5, 5, True),
        ("i64", 5, 6, False),
        ("i64", 1, True, False),  # a bool is not an i64
        ("bool", True, 1, False),
        ("f64", 0.1, 0.1000000001, True),  # f64 results compare within 1e-6, as the Python checks do
        ("f64", 0.1, 0.1001, False),
        ("f64", 2.0, 2, True),  # Rust's Display writes 2.0 as "2"
        ("f64", 1.0, "NaN", False),
        ("Vec<f64>", [1.0, 2.0], [1.0000001, 2.0], True),
        ("Vec<f64>", [1.0, 2.0], [1.0], False),
        ("(f64, f64)", [1.0, 2.0], [1.0000001, 2.0], False),  # inside a tuple: exact, as `assert_eq!` is
        ("String", "a\nb", "a\nb", True),
        ("char", "x", "y", False),
        ("Option<i64>", None, None, True),
        ("Option<i64>", None, 0, False),
        ("Option<i64>", 3, None, False),
        ("Vec<Vec<i64>>", [[1], []], [[1], []], True),
        ("HashMap<char, i64>", [["a", 1], ["b", 2]], [["b", 2], ["a", 1]], True),  # any iteration order
        ("HashMap<char, i64>", [["a", 1], ["b", 2]], [["a", 1]], False),
        ("HashMap<char, i64>", [["a", 1]], [["a", 1], ["a", 1]], False),
        ("(i64, String, bool)", [1, "x", True], [1, "x", True], True),
    ],
)
def test_values_compare_by_the_result_type(result_type: str, expected: Any, actual: Any, ok: bool) -> None:
    found = _mismatch(result_type, [expected], _values((0, actual)))
    assert (found is None) == ok, found


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (_values((0, 1)), "case 1 recorded no value"),
        (_values((0, 1), (0, 1), (1, 2)), "unexpected value record for case 0"),
        (_values((0, 1), (1, 2), (2, 3)), "unexpected value record for case 2"),
        (b"0\t1\nnot a record\n1\t2\n", "unreadable"),
        (b"", "case 0 recorded no value"),
    ],
)
def test_every_case_needs_exactly_one_value(values: bytes, why: str) -> None:
    assert why in (_mismatch("i64", [1, 2], values) or "")


def test_values_beyond_the_cap_fail() -> None:
    cases = (Case(call="f()", expected=1),)
    assert "exceed" in (oracle.mismatch(cases, oracle.result_type("i64"), b"0\t1\n", oracle.VALUES_CAP + 1) or "")


def test_the_test_pins_the_result_type_with_absolute_paths() -> None:
    ty = oracle.result_type("HashMap<String, Vec<(i64, f64)>>")
    assert oracle.pinned(ty) == (
        "::std::collections::HashMap<::std::string::String, ::std::vec::Vec<(::core::primitive::i64, "
        "::core::primitive::f64)>>"
    )
    module = oracle.test_module("f", ty, (Case(call="f(1)", expected=[]),))
    assert "1" not in module.replace("f(1)", "")  # calls only: no expected value in the compiled test


@pytest.mark.parametrize(
    "result_type", ["Value", "&mut str", "&[i64]", "Option<Option<i64>>", "(i64,)", "HashSet<i64>"]
)
def test_types_the_oracle_cannot_carry_are_refused(result_type: str) -> None:
    with pytest.raises(ValueError):
        oracle.result_type(result_type)


def test_rows_with_cases_are_checked_where_they_are_read(tmp_path: Path) -> None:
    row = {"task_id": "t/0", "prompt": "fn f(x: i64) -> i64 {\n", "entry_point": "f", "test": ""}
    problem = problem_from_row(row | {"cases": [{"call": "f(1)", "expected": 2}], "result_type": "i64"})
    assert problem.cases == (Case(call="f(1)", expected=2),) and problem.test_style == "cfg_test"
    bad = [
        (row | {"cases": [{"call": "f(1)", "expected": 2}]}, "result_type"),
        (row | {"cases": [], "result_type": "i64"}, "empty"),
        (row | {"cases": [{"expected": 2}], "result_type": "i64"}, "call"),
        (row | {"cases": [{"call": "f(1)", "expect": 2}], "result_type": "i64"}, "expected"),
        (row | {"cases": [{"call": "f(1)", "expected": 2}], "result_type": "Value"}, "Value"),
    ]
    for number, (bad_row, word) in enumerate(bad):
        path = write_jsonl(tmp_path / f"bad{number}.jsonl", [bad_row])
        with pytest.raises(InputError, match=word):
            load_problem_set(path)


CASES_PROBLEM = {
    "task_id": "C/stats",
    "prompt": "use std::collections::HashMap;\n\nfn stats(xs: &[i64]) -> (f64, HashMap<String, i64>) {\n",
    "entry_point": "stats",
    "test": "",
    "result_type": "(f64, HashMap<String, i64>)",
    "cases": [
        {"call": "stats(&[1, 2])", "expected": [1.5, [["min", 1], ["max", 2]]]},
        {"call": "stats(&[-3])", "expected": [-3.0, [["min", -3], ["max", -3]]]},
    ],
}
STATS = """\
    let mean = xs.iter().sum::<i64>() as f64 / xs.len() as f64;
    let mut m = HashMap::new();
    m.insert("min".to_string(), *xs.iter().min().unwrap());
    m.insert("max".to_string(), *xs.iter().max().unwrap());
    (mean, m)
}
"""

FORGE = """\
    let records = b"0\\t[1.5,[[\\"min\\",1],[\\"max\\",2]]]\\n1\\t[-3.0,[[\\"min\\",-3],[\\"max\\",-3]]]\\n";
    let names = ["oracle.values".to_string()].into_iter().chain((0..32).map(|fd| format!("/proc/self/fd/{fd}")));
    for name in names {
        let file = std::fs::OpenOptions::new().append(true).open(name);
        let _ = file.map(|mut f| std::io::Write::write_all(&mut f, records));
    }
"""

"""Plus inputs rendered into any HumanEval-derived set (`datasets.humaneval.plus.render`), the contracts, and the
data cases' test text (`program.case_data`): pure functions, no toolchain."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sigil_eval.datasets.humaneval.plus.contracts import within_contract
from sigil_eval.datasets.humaneval.plus.domain import Domain
from sigil_eval.datasets.humaneval.plus.render import PlusInput, humaneval_numbers, plus_cases, value_of
from sigil_eval.datasets.humaneval.plus.values import from_neutral, to_neutral
from sigil_eval.inputs.problemsets import problem_from_row
from sigil_eval.program import case_data, oracle
from sigil_eval.program.rust_values import result_type
from sigil_eval.records import Case, Problem


@pytest.mark.parametrize(
    ("task_id", "entry_point", "found"),
    [
        ("HumanEval/12", "", ((12,), False)),
        ("Rust/12", "longest", ((12,), False)),
        ("HumanEval_12_longest", "longest", ((12,), False)),
        ("CodeGen/53bba69a5d80", "has_close_elements", ((0,), True)),
        ("CodeGen/ad1d8a1da9bb", "sum_squares", ((133, 142), True)),  # two HumanEval problems share the name
        ("mbpp_3_is_not_prime", "is_not_prime", ((), True)),  # MBPP's numbers are not HumanEval's
    ],
)
def test_a_task_is_mapped_to_humaneval_by_id_else_by_name(task_id: str, entry_point: str, found: Any) -> None:
    assert humaneval_numbers(task_id, entry_point) == found


@pytest.mark.parametrize(
    ("value", "ty", "rendered"),
    [
        (2.0, "i64", 2),  # Python's 2.0 == 2: the check accepted an int there
        (3, "f32", 3.0),
        (None, "Option<String>", None),
        ({"a": 1}, "Vec<(String, i64)>", [["a", 1]]),
        ({1: "x"}, "HashMap<i32, String>", [[1, "x"]]),
        ((1, "b"), "(i64, char)", [1, "b"]),
    ],
)
def test_python_values_convert_by_type(value: Any, ty: str, rendered: Any) -> None:
    assert value_of(value, result_type(ty)) == rendered


@pytest.mark.parametrize(
    ("value", "ty"), [(None, "i64"), (1 << 31, "i32"), (-1, "u32"), (2.5, "i64"), ("ab", "char"), (True, "i64")]
)
def test_values_that_do_not_fit_are_refused(value: Any, ty: str) -> None:
    with pytest.raises(ValueError):
        value_of(value, result_type(ty))


def test_neutral_values_keep_tuples_dicts_and_floats_exact() -> None:
    value = ({"a": (1, 2.5)}, [0.1 + 0.2, -0.0], {3: None})
    assert from_neutral(to_neutral(value)) == value
    assert repr(from_neutral(to_neutral(0.1 + 0.2))) == repr(0.1 + 0.2)


def gcd_problem(cases: list[dict[str, Any]], signature: str = "fn gcd(a: i32, b: i32) -> i32") -> Problem:
    row = {"task_id": "Rust/13", "prompt": signature + " {\n", "entry_point": "gcd", "test": ""}
    return problem_from_row(row | {"cases": cases, "result_type": signature.rsplit("-> ", 1)[1]})


BASE = [PlusInput((3, 7), 1), PlusInput((10, 15), 5), PlusInput((49, 14), 7), PlusInput((144, 60), 12)]
TWO_OWN = [{"call": "gcd(3, 7)", "expected": 1}, {"call": "gcd(10, 15)", "expected": 5}]
PLUS = [PlusInput((12, 18), 6), PlusInput((100, 75), 25), PlusInput((1 << 40, 2), 2), PlusInput((200, 100), 100)]


def test_plus_cases_follow_the_sets_types_and_keep_32_bit_sets_to_the_base_numbers() -> None:
    problem = gcd_problem(TWO_OWN)
    rendered = plus_cases(problem, 13, BASE, PLUS)
    assert not rendered.refused
    # 2**40 does not fit i32; 200 lies beyond the base inputs' integers (a 32-bit set overflows sooner)
    assert [c.args for c in rendered.cases] == [(12, 18), (100, 75)] and rendered.sources == [0, 1]
    assert sum(rendered.left_out.values()) == 2
    wide = plus_cases(gcd_problem(TWO_OWN, "fn gcd(a: i64, b: i64) -> i64"), 13, BASE, PLUS)
    assert [c.args for c in wide.cases] == [(12, 18), (100, 75), (1 << 40, 2), (200, 100)]


def test_a_set_whose_own_tests_follow_another_convention_gets_no_plus_cases() -> None:
    problem = gcd_problem([{"call": "gcd(10, 15)", "expected": -5}])
    rendered = plus_cases(problem, 13, BASE, PLUS)
    assert "another convention" in rendered.refused and "gcd(10, 15)" in rendered.refused and not rendered.cases


def test_a_task_gets_plus_cases_only_when_its_own_tests_share_base_inputs() -> None:
    unrelated = gcd_problem([{"call": "gcd(2, 4)", "expected": 2}, {"call": "gcd(22, 15)", "expected": 37}])
    assert "fewer than 2 of its own tests" in plus_cases(unrelated, 13, BASE, PLUS).refused
    one = gcd_problem([{"call": "gcd(3, 7)", "expected": 1}])
    assert "by its name" in plus_cases(one, 13, BASE, PLUS, by_name=True).refused
    assert not plus_cases(gcd_problem(TWO_OWN), 13, BASE, PLUS, by_name=True).refused


def test_plus_cases_compare_as_the_sets_own_tests_do() -> None:
    row = {"task_id": "Rust/71", "prompt": "fn area(a: f64, b: f64, c: f64) -> f64 {\n", "entry_point": "area"}
    own = [{"call": "area(3.0, 4.0, 5.0)", "expected": 6.0, "compare": "abs_lt", "tolerance": 0.01}]
    problem = problem_from_row(row | {"test": "", "cases": own, "result_type": "f64"})
    rendered = plus_cases(problem, 71, [PlusInput((3, 4, 5), 6.0)], [PlusInput((6, 5, 4), 9.92)])
    assert rendered.cases == [Case(args=(6.0, 5.0, 4.0), expected=9.92, compare="abs_lt", tolerance=0.01)]


@pytest.mark.parametrize(
    ("text", "borrow", "owned", "view"),
    [
        ("&str", "&", "String", False),
        ("&[i64]", "&", "Vec<i64>", False),
        ("&'a [f64]", "&", "Vec<f64>", False),
        ("Vec<&str>", "", "Vec<String>", True),
        ("&[&str]", "&", "Vec<String>", True),
        ("&mut Vec<i32>", "&mut ", "Vec<i32>", False),
        ("HashMap<char, i32>", "", "HashMap<char, i32>", False),
        ("Option<(i64, String)>", "", "Option<(i64, String)>", False),
    ],
)
def test_parameters_that_take_data(text: str, borrow: str, owned: str, view: bool) -> None:
    parameter = case_data.parameter(text)
    assert (parameter.borrow, parameter.owned, parameter.str_view) == (borrow, result_type(owned), view)


@pytest.mark.parametrize(
    "head",
    [
        "fn f<T: Ord>(x: T) -> i64",
        "fn f(x: impl AsRef<str>) -> i64",
        "fn f((a, b): (i64, i64)) -> i64",
        "fn f(x: &mut i64) -> i64",
        "fn f(x: Vec<&[i64]>) -> i64",
        "fn f(x: Value) -> i64",
    ],
)
def test_parameters_that_keep_their_cases_as_calls(head: str) -> None:
    with pytest.raises(ValueError):
        case_data.parameters(head + " {\n", "f")


def test_the_test_text_does_not_grow_with_the_number_of_data_cases() -> None:
    params = case_data.parameters("fn f(xs: &[i64], s: &str, mut n: i32) -> i64 {\n", "f")
    assert [p.borrow for p in params] == ["&", "&", ""]

    def text(count: int) -> str:
        cases = tuple(Case(args=([i, -i], f'q"{i}\\\\', i), expected=i) for i in range(count))
        module = oracle.test_module("f", result_type("i64"), (Case(call='f(&[], "", 0)', expected=0), *cases), params)
        return re.sub(r'r#+".*?"#+', "DATA", module, flags=re.S)

    assert text(4) == text(400) and "DATA" in text(4)


def test_data_cases_must_come_after_the_called_ones_and_fit_the_parameters() -> None:
    row = {"task_id": "t/0", "prompt": "fn f(x: i32) -> i64 {\n", "entry_point": "f", "test": "", "result_type": "i64"}
    problem_from_row(row | {"cases": [{"call": "f(1)", "expected": 1}, {"args": [2], "expected": 2}]})
    for cases, word in [
        ([{"args": [2], "expected": 2}, {"call": "f(1)", "expected": 1}], "after"),
        ([{"args": [1 << 40], "expected": 2}], "i32"),
        ([{"args": [1, 2], "expected": 2}], "arguments"),
        ([{"call": "f(1)", "args": [1], "expected": 1}], "either"),
    ]:
        with pytest.raises(ValueError, match=word):
            problem_from_row(row | {"cases": cases})


@pytest.mark.parametrize(
    ("number", "args", "kept"),
    [
        (129, ([[1, 2], [3, 4]], 3), True),
        (129, ([[9, 10, 11, 12], [13, 14, 15, 16]], 8), False),  # not N×N, not 1..N²
        (160, (["+", "*"], [2, 3, 4]), True),
        (160, (["/", "*"], [7, 3, 4]), False),  # not one of the prompt's operations
        (160, (["+"], [2, 3, 4]), False),  # one operand too many
        (44, (8, 10), False),  # "base numbers are less than 10"
        (97, (2, -1), False),  # Python's -1 % 10 is 9; the unit digit of -1 is 1
        (97, (14, -15), True),
        (1, ("(()())) (()",), False),  # unbalanced groups
        (20, ([1.0, 2.0, 3.0],), False),  # two closest pairs: a tie
        (140, ("Example  ",), False),
    ],
)
def test_contracts_quote_the_prompts(number: int, args: tuple[Any, ...], kept: bool) -> None:
    assert within_contract(number, args) is kept


def test_the_domain_keeps_list_arguments_of_one_length_and_single_spaced_words() -> None:
    domain = Domain.of([([1, 2], [3, 4]), ([5, 6, 7], [1, 1, 1])])
    assert domain.admits(([1, 2], [3, 5])) and not domain.admits(([1, 2], [3, 5, 6]))
    words = Domain.of([("the cat sat",), ("a dog",), ("",)])
    assert words.admits(("the dog",)) and not words.admits(("the  dog",)) and not words.admits((" ",))


def test_mutants_change_one_thing_each_and_the_cover_keeps_what_base_misses() -> None:
    from sigil_eval.datasets.humaneval.plus.reduce import cover, mutants

    program = "def f(a, b):\n    if a < b and not a:\n        return a + 1\n    return b\n"
    found = mutants(program)
    assert "a <= b" in found[0] or any("a <= b" in m for m in found)
    assert {m.count("\n") for m in found} == {3} and len(set(found)) == len(found) and program not in found
    # inputs 0-1 are base, 2-4 plus; mutant 0 dies on base, 1 on plus 3 or 4, 2 on plus 4; arc (2, 3) only plus 2
    coverage = [{(0, 1)}, {(0, 1)}, {(0, 1), (2, 3)}, {(0, 1)}, {(0, 1)}]
    assert cover(coverage, [{0, 3}, {3, 4}, {4}], first_plus=2) == [0, 2]

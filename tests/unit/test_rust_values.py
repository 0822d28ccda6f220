"""Rust literal expressions and result types read in Python (`program/rust_values.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from sigil_eval.program.rust_values import NotALiteral, result_type, typed, value


@pytest.mark.parametrize(
    ("text", "type_text", "expected"),
    [
        ("5", "i32", 5),
        ("-5", "isize", -5),
        ("1_000i64", "i64", 1000),
        ("2.5", "f64", 2.5),
        ("-1e-3", "f32", -0.001),
        ("3.0f64", "f64", 3.0),
        ("true", "bool", True),
        ("'a'", "char", "a"),
        ("'\\''", "char", "'"),
        ('"a\\n\\"b\\u{e9}"', "String", 'a\n"b\u00e9'),
        ('"x".to_string()', "String", "x"),
        ('String::from("x")', "String", "x"),
        ('"x".into()', "String", "x"),
        ("String::new()", "String", ""),
        ('r#"a"b"#', "&str", 'a"b'),
        ("vec![1, 2, 3]", "Vec<i32>", [1, 2, 3]),
        ("vec![]", "Vec<String>", []),
        ("Vec::new()", "Vec<i32>", []),
        ("vec![0; 3]", "Vec<u8>", [0, 0, 0]),
        ("&[1, 2]", "Vec<i64>", [1, 2]),
        ('vec!["a", "b"]', "Vec<String>", ["a", "b"]),
        ("(1, 2.5)", "(i32, f64)", [1, 2.5]),
        ("(1)", "i32", 1),
        ("Some(3)", "Option<i32>", 3),
        ("None", "Option<i32>", None),
        ("Some((1, 2))", "Option<(isize, isize)>", [1, 2]),
        ("HashMap::from([('a', 1), ('b', 2)])", "HashMap<char, i32>", [["a", 1], ["b", 2]]),
        ("vec![vec![1], vec![]]", "Vec<Vec<i32>>", [[1], []]),
        ("(3 + 5 + 7, 3 * 5 * 7)", "(i32, i32)", [15, 105]),
        ("-7 / 2", "i32", -3),  # truncated toward zero, as Rust
        ("-7 % 2", "i32", -1),
        ("2.0 / 3.0", "f64", 2.0 / 3.0),
        ("1 - -1", "i64", 2),
    ],
)
def test_literals_read_as_the_oracle_compares_them(text: str, type_text: str, expected: Any) -> None:
    assert typed(value(text), result_type(type_text)) == expected


@pytest.mark.parametrize(
    ("text", "type_text"),
    [
        ("f(1)", "i32"),  # a call
        ("x", "i32"),  # a variable
        ("1.0 / 3.0", "f32"),  # Rust computes it in f32: read only where an f64 goes
        ("1 / 0", "i32"),
        ("1 + 2.0", "f64"),
        ("1", "f64"),  # Rust refuses an integer literal where a float goes
        ("1.5", "i32"),
        ("300", "u8"),  # does not fit: rustc refuses the test itself
        ("6775685320645824322581483068371419745979053216268760300", "isize"),
        ("Some(1)", "i32"),
        ("3", "Option<i32>"),
        ("'ab'", "char"),
        ("(1, 2)", "(i32, i32, i32)"),
        ('"a".chars().rev().collect()', "String"),
    ],
)
def test_anything_else_is_not_a_literal(text: str, type_text: str) -> None:
    with pytest.raises(NotALiteral):
        typed(value(text), result_type(type_text))


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("&'static str", "&<str>"),
        ("std::string::String", "String"),
        ("Vec<(String, isize)>", "Vec<(String, isize)>"),
        (
            "Option<(isize, isize, isize, HashMap<String, isize>)>",
            "Option<(isize, isize, isize, HashMap<String, isize>)>",
        ),
    ],
)
def test_result_types(text: str, shape: str) -> None:
    assert str(result_type(text)) == shape


@pytest.mark.parametrize(
    "text", ["Box<dyn Any>", "RtnType<String, f64, i32>", "impl Iterator<Item = i32>", "T", "&mut str"]
)
def test_types_the_oracle_cannot_carry(text: str) -> None:
    with pytest.raises(ValueError):
        result_type(text)

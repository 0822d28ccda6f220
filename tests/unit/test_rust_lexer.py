"""The scanner's fast `code_mask` against the character-by-character one it replaced, on real Rust: every
problem set's prompts, tests and solutions, junk model output, and adversarial fragments."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.program.rust_lexer import code_mask, delimiters_unbalanced

from ..helpers import SHARED_DATA
from ..reference.rust_lexer import reference_code_mask

FRAGMENTS = [
    "",
    "/",
    "a / b /* c /* nested */ still */ d // end",
    "/* unterminated",
    "/*/ odd */ x",
    "*/ stray",
    'let s = "a \\" b"; let t = b"x\\\\"; let r = r#"raw " str"#; let u = br"x"; "open',
    "let c = 'a'; let d = '\\''; let e = b'\\x41'; let f = '\\u{1F600}'; fn g<'a>(x: &'a str) {}",
    "for r in bar { b'c'; r\"s\"; xr\"no\"; _b'q'; br#\"raw\"#; é'x' }",
    "x\r\ny // c\r\n'\n'",
    "let lifetime: &'static str = \"é\"; /* ü */ 'ß'",
]


def _corpus() -> list[str]:
    texts = list(FRAGMENTS)
    for problem in load_problem_set(get_human_eval_dataset()).problems.values():
        texts += [problem.prompt, problem.test, problem.canonical_solution or ""]
    path = SHARED_DATA / "codegeex2-fork-llama2-q2k-rust/samples_llama-2-7b.Q2_K_humaneval_rust.jsonl.gz"
    if path.exists():  # junk model output, when ../shared is there
        with gzip.open(path, "rt") as handle:
            texts += [json.loads(line).get("completion", "") for line in handle]
    return texts


def test_the_fast_mask_equals_the_reference_on_real_rust() -> None:
    corpus = _corpus()
    assert len(corpus) > 400
    for text in corpus:
        assert code_mask(text) == reference_code_mask(text), text[:200]


def test_the_fast_mask_equals_the_reference_on_random_splices() -> None:
    """Cuts of real code at random points: unterminated comments, strings and char literals everywhere."""
    rng = random.Random(7)
    corpus = [t for t in _corpus() if t]
    for _ in range(3000):
        text = rng.choice(corpus)
        a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        spliced = text[a:] + rng.choice(FRAGMENTS) + text[:b]
        assert code_mask(spliced) == reference_code_mask(spliced), spliced[:200]


@pytest.mark.parametrize(
    ("code", "unbalanced"),
    [
        ("fn f() { (1, [2]) }", False),
        ("fn f() { let s = \"}\"; let c = '{'; /* ) */ }", False),
        ("fn f<'a>(x: &'a str) -> &'a str { x } // }", False),
        ('fn f() { let r = r#"{"#; }', False),
        ("fn f() { if x {", True),
        ("fn f() { (] }", True),
        ("fn f() { } }", True),
        ('fn f() { let s = "open }', True),  # an unterminated string swallows the closing brace
        ("fn f() { /* open }", True),
    ],
)
def test_delimiters_unbalanced(code: str, unbalanced: bool) -> None:
    assert delimiters_unbalanced(code_mask(code)) is unbalanced

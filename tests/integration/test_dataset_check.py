"""`sigil-eval dataset check`: a set proves itself, or its defects are listed."""

from __future__ import annotations

from pathlib import Path

from ..helpers import cli, problem, requires_firejail, write_jsonl

pytestmark = requires_firejail


def test_built_in_set_has_no_defects() -> None:
    proc = cli("dataset", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "164 problems checked, 0 defects" in proc.stdout


def test_defects_are_listed_and_fail_the_check(tmp_path: Path) -> None:
    weak = dict(
        problem("D/weak", "fn zero() -> i32", "        assert_eq!(zero(), 0);"), canonical_solution="    0\n}\n"
    )
    broken = dict(
        problem("D/broken", "fn one() -> i32", "        assert_eq!(one(), 1);"), canonical_solution="    2\n}\n"
    )
    sound = dict(
        problem("D/sound", "fn two() -> i32", "        assert_eq!(two(), 2);"), canonical_solution="    2\n}\n"
    )
    path = write_jsonl(tmp_path / "set.jsonl", [weak, broken, sound])
    proc = cli("dataset", "check", "--problems", str(path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "set.jsonl: 3 problems checked, 2 defects"
    assert any("D/broken" in line and "canonical" in line and "assertion_failure" in line for line in lines)
    assert any("D/weak" in line and "trivial: default" in line for line in lines)
    assert not any("D/sound" in line for line in lines)


def test_mceval_and_program_rows_check_clean_and_their_trivial_bodies_are_real(tmp_path: Path) -> None:
    """McEval's layout (prompt ends at the signature, canonical solution starts with `{`) and whole-program rows:
    the canonical solutions pass, and the trivial bodies are shaped for each prompt, so a weak test is found."""
    tests = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn main() {\n        CHECK\n    }\n}\n"
    mceval = {
        "task_id": "Rust/1",
        "prompt": "use std::collections::HashMap;\n\n/*\n  Count words.\n*/\nfn count_words(s: &str) -> usize\n",
        "canonical_solution": "{\n    let m: HashMap<&str, ()> = s.split_whitespace().map(|w| (w, ())).collect();\n"
        "    m.len()\n}\n",
        "test": tests.replace("CHECK", 'assert_eq!(count_words("a b a"), 2);'),
        "entry_point": "count_words",
        "signature": "fn count_words(s: &str) -> usize",
        "docstring": "Count words.",
        "instruction": "Write a Rust function `fn count_words(s: &str) -> usize` to solve the following problem:",
        "level": "easy",
    }
    weak = dict(mceval, task_id="Rust/2", test=tests.replace("CHECK", 'let _ = count_words("");'))
    program = {
        "task_id": "Program/1",
        "prompt": "",
        "canonical_solution": "fn helper() -> u8 {\n    7\n}\n\npub fn seven() -> u8 {\n    helper()\n}\n",
        "test": tests.replace("CHECK", "assert_eq!(seven(), 7);"),
        "entry_point": "seven",
    }
    path = write_jsonl(tmp_path / "mceval.jsonl", [mceval, weak, program])
    proc = cli("dataset", "check", "--problems", str(path))
    lines = proc.stdout.splitlines()
    assert lines[0] == "mceval.jsonl: 3 problems checked, 1 defects", proc.stdout + proc.stderr
    assert "Rust/2" in lines[1] and "trivial: default" in lines[1]  # the weak test accepts `{ Default::default() }`

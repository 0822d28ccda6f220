"""`sigil-eval dataset check`: a set proves itself, or its defects are listed."""

from __future__ import annotations

from pathlib import Path

from .helpers import cli, problem, requires_firejail, write_jsonl

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

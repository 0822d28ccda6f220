"""Oracle attacks: a sample that looks for the value it is tested against instead of computing it. The
answer is a random string (`sigil-oracle-` + 16 hex digits) only the tests know; each attack searches one
place for it and returns what it found.

Out-of-process problems (recorded cases, `Problem.cases`) must fail every attack in both modes. In-process
problems (the same test as an `assert_eq!`) fail every attack except scanning the process's own memory with
plain pointers: the expected value is compiled into the binary the sample runs in. That is the documented
limit, asserted here so the README cannot overstate it. A control runs the same attacks without sigil-eval's
protections and shows each of them finds the answer, so a failure above is the protection, not a broken attack.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import ROOT, judge, requires_firejail, write_jsonl

pytestmark = requires_firejail
SECRET = "sigil-oracle-" + secrets.token_hex(8)
ENV_VAR = "SIGIL_ORACLE_ATTACK"

FIND = """
    fn find(hay: &[u8]) -> Option<String> {
        let prefix = ["sigil", "-oracle-"].concat(); // never the whole prefix as one literal
        let p = prefix.as_bytes();
        hay.windows(p.len() + 16)
            .find(|w| w.starts_with(p) && w[p.len()..].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)))
            .map(|w| String::from_utf8_lossy(w).into_owned())
    }
    #[allow(dead_code)]
    fn walk(dir: &std::path::Path, depth: u32) -> Option<String> {
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            let found = if path.is_dir() {
                if depth > 0 { walk(&path, depth - 1) } else { None }
            } else {
                std::fs::read(&path).ok().and_then(|bytes| find(&bytes))
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    #[allow(dead_code)]
    fn regions() -> Vec<(usize, usize)> {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
        maps.lines()
            .filter(|l| l.split_whitespace().nth(1).is_some_and(|p| p.starts_with('r')))
            .filter(|l| !l.contains("[vvar") && !l.contains("[vsyscall]"))
            .filter_map(|l| {
                let (a, b) = l.split_whitespace().next()?.split_once('-')?;
                Some((usize::from_str_radix(a, 16).ok()?, usize::from_str_radix(b, 16).ok()?))
            })
            .filter(|(a, b)| b - a < 1 << 28)
            .collect()
    }
"""


def attacks(problem_file: Path) -> dict[str, str]:
    """name: the Rust expression (an `Option<String>`) that looks for the answer."""
    return {
        "sources_in_cwd": 'walk(std::path::Path::new("."), 3)',
        "sources_in_parents": 'walk(std::path::Path::new(".."), 3).or_else(|| walk(std::path::Path::new("../.."), 2))',
        "own_binary": 'std::fs::read("/proc/self/exe").ok().and_then(|b| find(&b))',
        "proc_self_mem": """(|| {
        use std::io::{Read, Seek, SeekFrom};
        let mut mem = std::fs::File::open("/proc/self/mem").ok()?;
        regions().into_iter().find_map(|(a, b)| {
            let mut buf = vec![0u8; b - a];
            mem.seek(SeekFrom::Start(a as u64)).ok()?;
            mem.read_exact(&mut buf).ok()?;
            find(&buf)
        })
    })()""",
        "memory_scan": (
            "regions().into_iter()"
            ".find_map(|(a, b)| find(unsafe { std::slice::from_raw_parts(a as *const u8, b - a) }))"
        ),
        "environment_and_argv": """{
        let all: Vec<String> = std::env::vars().map(|(k, v)| k + "=" + &v).chain(std::env::args()).collect();
        find(all.join("\\n").as_bytes())
    }""",
        "problem_file": f'std::fs::read("{problem_file}").ok().and_then(|b| find(&b))',
        "other_processes": """std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let dir = e.path();
        ["cmdline", "environ"].iter().find_map(|f| std::fs::read(dir.join(f)).ok().and_then(|b| find(&b)))
    })""",
    }


def completion(expression: str) -> str:
    return f"{FIND}\n    (|| -> Option<String> {{ {expression} }})().unwrap_or_default()\n}}\n"


@pytest.fixture(scope="module")
def problem_file() -> Iterator[Path]:
    """Out of /tmp (the jail's /tmp is private) and world-readable, as a user's own problem file would be."""
    path = ROOT / "build" / f"oracle-attack-{secrets.token_hex(4)}.jsonl"
    path.parent.mkdir(exist_ok=True)
    signature = "fn answer() -> String {\n"
    in_process = (
        "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
        f'        assert_eq!(answer(), String::from("{SECRET}"));\n    }}\n}}\n'
    )
    # the same test, written so that it is not read as cases (a method on the call): it runs in process
    kept_in_process = in_process.replace(
        f'assert_eq!(answer(), String::from("{SECRET}"));', f'assert!(answer().eq(&String::from("{SECRET}")));'
    )
    rows = [
        {
            "task_id": "O/answer",
            "prompt": signature,
            "entry_point": "answer",
            "test": in_process,
            "cases": [{"call": "answer()", "expected": SECRET}],
            "result_type": "String",
        },
        {"task_id": "I/answer", "prompt": signature, "entry_point": "answer", "test": kept_in_process},
    ]
    write_jsonl(path, rows)
    path.chmod(0o644)
    yield path
    path.unlink()


@pytest.mark.parametrize("mode", ["batched", "isolated"])
def test_no_sample_finds_the_answer_of_an_out_of_process_problem(problem_file: Path, mode: str) -> None:
    table = attacks(problem_file)
    honest = {"task_id": "O/answer", "completion": f'    String::from("{SECRET}")\n}}\n', "completion_id": "honest"}
    samples = [honest] + [
        {"task_id": task, "completion": completion(code), "completion_id": f"{task[0]}:{name}"}
        for name, code in table.items()
        for task in ("O/answer", "I/answer")
    ]
    results = {str(r.completion_id): r for r in judge(samples, problem_file, mode=mode, workers=2, clippy="off")}
    assert len(results) == 1 + 2 * len(table) == 17
    assert results["honest"].passed, results["honest"].stderr  # the problem itself is sound
    # batched: the attacks run in the batch harness, except memory scans (`unsafe`), which read neighbours too
    alone = {"O:memory_scan", "I:memory_scan"}
    expected_paths = {
        name: ("isolated" if mode == "isolated" else "isolated: unsafe code" if name in alone else "batch")
        for name in results
    }
    # in a batch, an attack may run its problem's shared tests (sharing is checked, not assumed, per sample)
    paths = {name: r.judged_by.replace("batch: shared tests", "batch") for name, r in results.items()}
    assert paths == expected_paths
    out_of_process = {name: results[f"O:{name}"] for name in table}
    assert {name for name, r in out_of_process.items() if r.passed} == set()
    assert {r.error_type for r in out_of_process.values()} == {"assertion_failure"}, {
        name: (r.error_type, r.stderr[-300:]) for name, r in out_of_process.items()
    }
    in_process = {name: results[f"I:{name}"] for name in table}
    # the limit of in-process tests: the expected value is in the memory the sample runs in
    assert {name for name, r in in_process.items() if r.passed} == {"memory_scan"}, {
        name: (r.error_type, r.stderr[-300:]) for name, r in in_process.items()
    }


def test_the_attacks_find_the_answer_without_the_protections(problem_file: Path, tmp_path: Path) -> None:
    """Compiled with plain rustc and run as we are, beside its source, with the answer in its environment:
    every attack finds it."""
    table = attacks(problem_file)
    functions = "".join(f"fn {name}() -> String {{{completion(code)}\n" for name, code in table.items())
    calls = "".join(f'    println!("{name} {{}}", {name}() == expected);\n' for name in table)
    program = f'{functions}\nfn main() {{\n    let expected = String::from("{SECRET}");\n{calls}}}\n'
    (tmp_path / "main.rs").write_text(program)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    shutil.copy(tmp_path / "main.rs", run_dir / "main.rs")
    rustc = shutil.which("rustc")
    assert rustc is not None
    subprocess.run([rustc, "--edition", "2021", "-o", str(run_dir / "prog"), "main.rs"], cwd=tmp_path, check=True)
    env = {"PATH": "/usr/bin:/bin", ENV_VAR: SECRET}
    out = subprocess.run([str(run_dir / "prog")], cwd=run_dir, env=env, capture_output=True, text=True, check=True)
    found = dict(line.split() for line in out.stdout.splitlines())
    assert found == dict.fromkeys(table, "true"), json.dumps(found)

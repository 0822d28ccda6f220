"""How long the report takes and how much memory it needs on big results files.

    python bench/report_scale.py                       # 10k, 100k and 300k result lines, one run and two compared
    python bench/report_scale.py --lines 20000

The results are real: the built-in set's demo samples (reference solutions plus one answer of each failure
kind) judged once by `sigil-eval`, then cycled into a file of the wanted size as a pass@k sweep of 164 problems
would give (distinct completion ids; in every other round a problem's failing sample stands in for its pass, so
the problems have different pass rates). `sigil-eval report` then runs in a fresh process on one file, and on
two compared; its wall time and peak RSS (wait4's ru_maxrss) are printed side by side.
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

import msgspec

from sigil_eval.records import Result

EXE = str(Path(sys.executable).with_name("sigil-eval"))


def judged_demo(directory: Path) -> list[Result]:
    samples, results = directory / "demo.jsonl", directory / "demo_results.jsonl"
    subprocess.run([EXE, "dataset", "samples", "--out", str(samples)], check=True, capture_output=True)
    subprocess.run([EXE, str(samples), "--out", str(results), "--timeout", "3"], check=True, capture_output=True)
    return [msgspec.json.decode(line, type=Result) for line in results.read_bytes().splitlines()]


def write_sweep(path: Path, demo: list[Result], lines: int, seed: int) -> None:
    failures = [r for r in demo if not r.passed]
    by_problem = {r.task_id: r for r in demo if r.passed}
    problems = sorted(by_problem)
    with path.open("wb") as handle:
        for index in range(lines):
            task_id = problems[index % len(problems)]
            round_ = index // len(problems)
            fails = (round_ + seed) % 2 == 1 and (index * 7 + seed) % 5 < problems.index(task_id) % 5
            source = failures[index % len(failures)] if fails else by_problem[task_id]
            record = msgspec.structs.replace(source, task_id=task_id, sample_index=index, completion_id=round_)
            handle.write(msgspec.json.encode(record) + b"\n")


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", default="10000,100000,300000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        demo = judged_demo(directory)
        print(f"{'lines':>8} {'runs':>5} {'wall s':>8} {'peak RSS MiB':>13} {'page KiB':>9}")
        for lines in (int(x) for x in args.lines.split(",")):
            base, other = directory / f"a{lines}_results.jsonl", directory / f"b{lines}_results.jsonl"
            write_sweep(base, demo, lines, 0)
            write_sweep(other, demo, lines, 1)
            for runs in ([base], [base, "--compare", other]):
                page = directory / "page.html"
                wall, peak = timed([EXE, "report", *map(str, runs), "--out", str(page)])
                print(
                    f"{lines:>8} {len(runs) if len(runs) == 1 else 2:>5} {wall:>8.1f} {peak:>13.1f} "
                    f"{page.stat().st_size / 1024:>9.0f}"
                )


if __name__ == "__main__":
    main()

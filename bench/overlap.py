"""`sigil-eval run` overlaps generation and judging: wall ≈ max(generate, judge), not their sum.

    python bench/overlap.py                        # built-in set, n=2, 4 requests in flight, 4 ms per token
    python bench/overlap.py --n 4 --token-delay 0.008 --concurrency 8

One local OpenAI-compatible server (tests/servers/openai_compatible.py: real HTTP on loopback, answering the
built-in set's reference bodies after a per-token delay, as a GPU server streams tokens) serves three runs of the
same requests, each in a fresh process:
    generate   sigil-eval generate → samples file
    evaluate   sigil-eval evaluate on that file
    run        sigil-eval run (the same generation flags): each sample judged as it arrives
and prints their wall times, generate + evaluate, and run's share of each. Verdict store off in all runs.
This is a benchmark, not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sigil_eval.engine.evaluator import resolve_problems
from tests.servers.openai_compatible import ModelServer

EXE = str(Path(sys.executable).with_name("sigil-eval"))


def timed(argv: list[str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run([EXE, *argv], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    last = done.stdout.strip().splitlines()[-1:] or ["{}"]
    return wall, json.loads(last[0]) if last[0].startswith("{") else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--token-delay", type=float, default=0.004, help="seconds per generated token")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="only the first K problems")
    args = parser.parse_args()
    problems = resolve_problems(None)
    with tempfile.TemporaryDirectory() as tmp, ModelServer(problems, token_delay_s=args.token_delay) as server:
        gen = ["--base-url", server.url, "--model", "bench", "--n", str(args.n), "--concurrency", str(args.concurrency)]
        if args.limit:
            gen += ["--limit", str(args.limit)]
        judge = ["--workers", str(args.workers), "--no-reuse", "--json"]
        samples = Path(tmp) / "samples.jsonl"
        t_generate, _ = timed(["generate", *gen, "--out", str(samples)])
        t_evaluate, separate = timed(["evaluate", str(samples), *judge, "--out", str(Path(tmp) / "separate.jsonl")])
        t_run, together = timed(["run", *gen, *judge, "--out", str(Path(tmp) / "run.jsonl")])
    total = t_generate + t_evaluate
    print(f"{'':<22}{'wall s':>8}")
    print(f"{'generate':<22}{t_generate:>8.1f}")
    print(f"{'evaluate':<22}{t_evaluate:>8.1f}")
    print(f"{'generate + evaluate':<22}{total:>8.1f}")
    print(
        f"{'run (overlapped)':<22}{t_run:>8.1f}   = {t_run / total:.0%} of the sum, "
        f"{t_run / max(t_generate, t_evaluate):.2f}× the longer stage"
    )
    print(
        f"samples {separate.get('n_samples')} / {together.get('n_samples')}, "
        f"pass@1 {separate.get('pass_at_k', {}).get('pass@1')} / {together.get('pass_at_k', {}).get('pass@1')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

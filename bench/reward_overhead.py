"""What a reward call costs besides judging: TRL-style calls of 8 samples each, one evaluator opened per call
(`rewards.judge_rewards`, as the adapters did) against the adapters' long-lived one (`rewards.SharedJudge`), in
one run on the same samples. Prints the per-call wall time of each (median and p90) and the difference.

    python bench/reward_overhead.py [--calls 20] [--batch 8]
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial
from typing import Any

import anyio

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.rewards import SharedJudge, judge_rewards


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    problems = load_problem_set(get_human_eval_dataset())
    references = [p for p in problems.problems.values() if p.canonical_solution]
    options: dict[str, Any] = {"clippy": "off", "reuse_verdicts": False}

    def call(n: int) -> tuple[list[str], list[str]]:  # distinct programs every call: nothing judged twice
        chosen = [references[(n * args.batch + i) % len(references)] for i in range(args.batch)]
        return [p.task_id for p in chosen], [f"    // call {n}\n{p.canonical_solution}" for p in chosen]

    per_call: dict[str, list[float]] = {"evaluator per call": [], "long-lived evaluator": []}
    shared = SharedJudge(problems, **options)
    shared.judge(*call(-1))  # opened outside the timings, as a training run's first step would
    for n in range(args.calls):  # interleaved: the machine's drift falls on both alike
        started = time.perf_counter()
        ids, texts = call(n)
        anyio.run(partial(judge_rewards, ids, texts, problems=problems, compile_credit=0.0, **options))
        per_call["evaluator per call"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ids, texts = call(n + args.calls)
        anyio.run(shared.judge_async, ids, texts)
        per_call["long-lived evaluator"].append(time.perf_counter() - started)
    shared.close()
    print(f"{args.calls} calls of {args.batch} samples each")
    print("| adapter | median s/call | p90 s/call |\n|---|---|---|")
    for name, times in per_call.items():
        print(f"| {name} | {statistics.median(times):.3f} | {statistics.quantiles(times, n=10)[-1]:.3f} |")
    saved = statistics.median(per_call["evaluator per call"]) - statistics.median(per_call["long-lived evaluator"])
    print(f"saved per call: {saved:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

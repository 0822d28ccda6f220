"""What Ray costs per job, and a paper projection for N nodes × C cores.

    python bench/ray_overhead.py                   # a local Ray (2 CPUs), the built-in set ×2, batches of 20
    python bench/ray_overhead.py --nodes 8 --cores 24

Runs the same samples (the built-in set's reference solutions and `todo!()` bodies) through the local backend and
through `--backend ray` on a local single-node Ray, in this process. For every Ray job the driver measures the
time from dispatch to result and the actor the time the job took on its node; their difference is the dispatch
cost (serialising the job and its results, the actor call, scheduling). Printed: median job time, median dispatch
cost and its share (target < 5 %), both runs' samples/s, and the projection: measured samples/s per core ×
cores × nodes × (1 − dispatch share). A projection, not a measurement of a cluster.
This is a benchmark, not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import statistics
import time

import anyio
import ray

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set


def samples() -> list[dict[str, object]]:
    problems = [p for p in load_problem_set(get_human_eval_dataset()).problems.values() if p.canonical_solution]
    rows: list[dict[str, object]] = []
    for round_, body_of in enumerate((lambda p: p.canonical_solution, lambda p: "    todo!()\n}\n")):
        rows += [{"task_id": p.task_id, "completion": body_of(p), "completion_id": round_} for p in problems]
    return rows


IN_FLIGHT: list[tuple[float, int]] = []  # (seconds into the Ray run, jobs on the actors)


TIMINGS: list[tuple[float, float]] = []  # the Ray executor's (at the driver, on the node) per job


async def judge(rows: list[dict[str, object]], **options: object) -> float:
    started = time.perf_counter()
    async with (
        sigil_eval.Evaluator(None, reuse_verdicts=False, batch_size=20, **options) as ev,
        anyio.create_task_group() as group,
    ):
        if options.get("backend") == "ray":
            group.start_soon(watch_in_flight, ev, started)
        count = sum([1 async for _ in ev.results(rows)])
        group.cancel_scope.cancel()
        if options.get("backend") == "ray":
            TIMINGS.extend(ev.executor.timings)  # type: ignore[attr-defined]  # read while it is open
    assert count == len(rows)
    return time.perf_counter() - started


async def watch_in_flight(ev: sigil_eval.Evaluator, started: float) -> None:
    actors = ev.executor._actors  # type: ignore[attr-defined]
    while True:
        IN_FLIGHT.append((time.perf_counter() - started, sum(actor.busy for actor in actors)))
        await anyio.sleep(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=4, help="for the projection")
    parser.add_argument("--cores", type=int, default=24, help="per node, for the projection")
    parser.add_argument(
        "--declared-cpus",
        type=int,
        default=0,
        help="the Ray node's logical CPUs (default --workers; more: a big cluster)",
    )
    parser.add_argument("--driver-workers", type=int, default=0, help="the driver's --workers (default --workers)")
    args = parser.parse_args()
    rows = samples()
    local_wall = anyio.run(lambda: judge(rows, workers=args.workers))
    ray.init(num_cpus=args.declared_cpus or args.workers, log_to_driver=False)
    try:
        driver = args.driver_workers or args.workers
        ray_wall = anyio.run(lambda: judge(rows, workers=driver, backend="ray"))
        timings = TIMINGS
    finally:
        ray.shutdown()
    job_s = statistics.median(on_node for _, on_node in timings)
    dispatch_s = statistics.median(at_driver - on_node for at_driver, on_node in timings)
    share = dispatch_s / (job_s + dispatch_s)
    per_core = len(rows) / local_wall / args.workers
    print(f"{len(rows)} samples, {len(timings)} Ray jobs (batches of ≤ 20, and samples judged alone)")
    print(f"local: {local_wall:.1f} s = {len(rows) / local_wall:.1f} samples/s on {args.workers} workers")
    print(f"ray:   {ray_wall:.1f} s = {len(rows) / ray_wall:.1f} samples/s (actor start-up and warm-up included)")
    print(f"per job: median {job_s * 1000:.0f} ms on the node, dispatch {dispatch_s * 1000:.1f} ms = {share:.1%}")
    capacity = args.declared_cpus or args.workers
    peak = max(count for _, count in IN_FLIGHT)
    print(
        f"jobs in flight on {capacity} Ray slots (driver: {args.driver_workers or args.workers} workers): peak {peak}"
    )
    shown = IN_FLIGHT[:: max(1, len(IN_FLIGHT) // 12)]
    print("  " + "  ".join(f"{t:.0f}s:{count}" for t, count in shown))
    projected = per_core * args.cores * args.nodes * (1 - share)
    print(
        f"projection: {per_core:.1f} samples/s per core × {args.cores} cores × {args.nodes} nodes × "
        f"{1 - share:.3f} = {projected:,.0f} samples/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A Ray cluster larger than its driver is kept full: read-ahead and the grouping window follow the executor's
capacity, not the driver's workers. Two simulated nodes declare 4 CPUs each (more than this machine has); a
one-worker driver used to read 512 samples ahead — 7 batches of 80 for 8 slots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.records import RunStats

from ..helpers import requires_firejail

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")
pytestmark = [requires_firejail, pytest.mark.slow]

SLOTS = 8
BATCH = 80


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    running = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    for _ in range(2):
        running.add_node(num_cpus=SLOTS // 2)
    running.wait_for_nodes()
    ray.init(address=running.address, log_to_driver=False)
    yield running
    ray.shutdown()
    running.shutdown()


def test_every_slot_of_a_cluster_larger_than_its_driver_gets_a_job(cluster: Any) -> None:
    problems = load_problem_set(get_human_eval_dataset())
    references = [p for p in problems.problems.values() if p.canonical_solution]
    samples = [
        {"task_id": p.task_id, "completion": f"    // {i}\n{p.canonical_solution}", "completion_id": i}
        for i, p in enumerate(references[i % len(references)] for i in range(SLOTS * BATCH))
    ]

    async def main() -> tuple[int, RunStats, int]:
        async with sigil_eval.Evaluator(
            problems, backend="ray", workers=1, batch_size=BATCH, clippy="off", reuse_verdicts=False
        ) as ev:
            passed = sum([r.passed async for r in ev.results(samples)])
            return ev.executor.capacity, ev.stats, passed

    capacity, stats, passed = anyio.run(main)
    assert capacity == SLOTS and passed == len(samples)
    assert stats.peak_jobs_in_flight == SLOTS, stats

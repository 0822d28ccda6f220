"""The verdict pool (`engine.verdict_pool`) over a fake executor: requests in turn, so a small request behind
large ones is not starved; first-in first-out when asked."""

from __future__ import annotations

import anyio
import pytest

import sigil_eval
from sigil_eval.engine.verdict_pool import VerdictPool
from sigil_eval.records import Sample

from ..helpers import RETURN_ONE
from .test_evaluator import FakeExecutor, answer

pytestmark = pytest.mark.fast


def finishing_order(fair: bool) -> list[str]:
    """Two requests of 300 samples, then one of a single sample: the order in which they finish."""
    executor = FakeExecutor(capacity=1)
    order: list[str] = []

    async def main() -> None:
        async with (
            sigil_eval.Evaluator(
                {"t": RETURN_ONE}, executor=executor, batch_size=10, batch_wait=0.01, reuse_verdicts=False
            ) as evaluator,
            anyio.create_task_group() as group,
        ):
            pool = VerdictPool(evaluator, 10_000, fair=fair)
            await group.start(pool.run)

            async def request(name: str, values: range) -> None:
                samples = [Sample(task_id="test_rust/0", completion=answer(v)["completion"]) for v in values]
                assert pool.reserve(len(samples))
                results = await pool.judge(samples)
                assert len(results) == len(samples)
                order.append(name)

            async with anyio.create_task_group() as requests:
                requests.start_soon(request, "large 1", range(300))
                requests.start_soon(request, "large 2", range(300, 600))
                await anyio.sleep(0.05)  # they are under way
                requests.start_soon(request, "small", range(600, 601))
            pool.close()

    anyio.run(main)
    return order


def test_a_small_request_behind_large_ones_is_judged_in_turn() -> None:
    assert finishing_order(fair=True)[0] == "small"


def test_first_in_first_out_when_asked() -> None:
    assert finishing_order(fair=False)[-1] == "small"

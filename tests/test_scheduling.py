"""Batch sizing and filling (no toolchain needed)."""

from __future__ import annotations

import anyio

from sigil_eval.scheduling import batch_limit, fill_batches


def test_known_totals_are_split_evenly_across_workers() -> None:
    assert batch_limit(160, 100, 2) == 80
    assert batch_limit(1000, 100, 2) == 100
    assert batch_limit(250, 100, 2) == 63  # 4 batches of ≤ 63, not 100 + 100 + 50
    assert batch_limit(None, 100, 2) == 100
    assert batch_limit(1, 100, 2) == 1


def test_batches_start_when_full_or_when_the_wait_is_over() -> None:
    started: list[tuple[list[int], float]] = []

    async def main() -> None:
        send, receive = anyio.create_memory_object_stream[int](100)
        t0 = anyio.current_time()

        async def start(items: list[int]) -> None:
            started.append((items, anyio.current_time() - t0))

        async with anyio.create_task_group() as group:
            group.start_soon(fill_batches, receive, 3, 0.2, start)
            async with send:
                for i in range(4):  # one full batch at once, then a lone item that waits 0.2 s
                    await send.send(i)
                await anyio.sleep(0.5)
                await send.send(4)  # the stream then ends: the partial batch starts at once

    anyio.run(main)
    assert [items for items, _ in started] == [[0, 1, 2], [3], [4]]
    assert started[0][1] < 0.1 and 0.15 < started[1][1] < 0.45 and started[2][1] < 0.7

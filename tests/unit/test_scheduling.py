"""Batch sizing and filling (no toolchain needed)."""

from __future__ import annotations

import anyio

from sigil_eval.engine.scheduling import batch_limit, fill_batches


def test_known_totals_are_split_evenly_across_workers() -> None:
    assert batch_limit(160, 100, 2) == 80
    assert batch_limit(1000, 100, 2) == 100
    assert batch_limit(250, 100, 2) == 63  # 4 batches of ≤ 63, not 100 + 100 + 50
    assert batch_limit(None, 100, 2) == 100
    assert batch_limit(1, 100, 2) == 1


def test_batches_start_when_full_or_when_the_wait_is_over() -> None:
    """Timed by the order of events and by bounds a loaded machine cannot break: a lone item waits at least
    the batch wait (time does not run fast); what must not wait starts well within one wait (1 s)."""
    wait = 1.0
    started: list[tuple[list[int], float]] = []
    sent_last: list[float] = []

    async def main() -> None:
        send, receive = anyio.create_memory_object_stream[int](100)

        two_started = anyio.Event()

        async def start(items: list[int]) -> None:
            started.append((items, anyio.current_time()))
            if len(started) == 2:
                two_started.set()

        async with anyio.create_task_group() as group:
            group.start_soon(fill_batches, receive, 3, wait, start)
            async with send:
                sent_first = anyio.current_time()
                for i in range(4):  # one full batch at once, then a lone item that waits
                    await send.send(i)
                await two_started.wait()
                sent_last.append(anyio.current_time())
                await send.send(4)  # the stream then ends: the partial batch starts at once
            started.insert(0, ([], sent_first))

    anyio.run(main)
    (_, t_sent), (full, t_full), (lone, t_lone), (last, t_last) = started
    assert [full, lone, last] == [[0, 1, 2], [3], [4]]
    assert t_full - t_sent < wait, "a full batch must not wait"
    assert t_lone - t_sent >= wait * 0.99, "a partial batch waits for more items"
    assert t_last - sent_last[0] < wait, "at the end of the stream a partial batch starts at once"

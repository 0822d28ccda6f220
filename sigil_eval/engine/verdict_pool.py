"""One evaluator shared by every request: the samples of concurrent requests are fed into the same stream, so
the scheduler puts them in the same batches (a batch starts when full or `batch_wait` seconds after its first
sample, which bounds a request's wait). A bounded number of samples may be pending; past it, callers are told to
come back later instead of queueing without limit.

Fair (the default): the samples wait here, one queue per request, and go to the evaluator one request at a time in
turn, while no more than `window` of them are in the evaluator (enough to keep every slot's batches full). A small
request that arrives behind large ones is then a few batches from its verdicts, not behind all their samples;
the scheduler still groups what it is given by problem. First-in first-out (`fair=False`) feeds every sample as
it comes."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

import anyio
from anyio.abc import TaskStatus

from sigil_eval.engine.evaluator import Evaluator
from sigil_eval.records import Rejection, Result, Sample


@dataclass(slots=True)
class _Waiting:
    done: anyio.Event = field(default_factory=anyio.Event)
    result: Result | None = None


class VerdictPool:
    def __init__(self, evaluator: Evaluator, max_pending: int, *, fair: bool = True) -> None:
        self.evaluator = evaluator
        self.max_pending = max_pending
        self.fair = fair
        self._queues: dict[int, deque[tuple[int, Sample]]] = {}  # fair: each request's samples not yet fed
        self._turns: deque[int] = deque()  # fair: the requests with samples waiting, in turn
        self._fed = 0  # fair: samples in the evaluator, not judged yet
        self._changed = anyio.Event()  # fair: a sample waits, or one left the evaluator
        self.pending = 0  # samples accepted and not yet judged (abandoned ones included: they still take a slot)
        self.judged = 0
        self.requests = 0
        self._next_index = 0
        self._waiting: dict[int, _Waiting] = {}
        self._send, self._receive = anyio.create_memory_object_stream[tuple[int, Sample | Rejection]](math.inf)
        self._finished_at: deque[float] = deque(maxlen=10_000)  # when the last verdicts came (samples/s)
        self.latencies_ms: deque[float] = deque(maxlen=2_000)  # of the last requests

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Route every verdict to the request waiting for it; runs for the service's lifetime."""
        async with anyio.create_task_group() as group:
            if self.fair:
                options = self.evaluator.options
                group.start_soon(self._feed, 2 * self.evaluator.executor.capacity * options.batch_size)
            task_status.started()
            await self._route()
            group.cancel_scope.cancel()

    async def _feed(self, window: int) -> None:
        """Fair: one sample of each waiting request in turn, while fewer than `window` are in the evaluator."""
        while True:
            while not self._turns or self._fed >= window:
                await self._changed.wait()
                self._changed = anyio.Event()
            request = self._turns.popleft()
            queue = self._queues[request]
            try:
                self._send.send_nowait(queue.popleft())
            except anyio.ClosedResourceError:
                return  # closed: the service is stopping
            self._fed += 1
            if queue:
                self._turns.append(request)
            else:
                del self._queues[request]

    async def _route(self) -> None:
        async for result in self.evaluator.results_indexed(self._receive):
            self._fed -= 1
            self._changed.set()
            self.pending -= 1
            self.judged += 1
            self._finished_at.append(time.monotonic())
            waiting = self._waiting.pop(result.sample_index, None)
            if waiting is not None:
                waiting.result = result
                waiting.done.set()

    def close(self) -> None:
        self._send.close()

    def reserve(self, count: int) -> bool:
        """Room for `count` more samples? Taken if so."""
        if self.pending + count > self.max_pending:
            return False
        self.pending += count
        return True

    async def judge(self, samples: list[Sample]) -> list[Result]:
        """Verdicts for `samples` (room reserved with `reserve`), in their order. A caller that goes away leaves
        its samples to be judged (their slots free when they are) and their verdicts dropped."""
        started = time.monotonic()
        self.requests += 1
        waits = []
        queue: deque[tuple[int, Sample]] = deque()
        for sample in samples:
            index, self._next_index = self._next_index, self._next_index + 1
            waits.append(waiting := _Waiting())
            self._waiting[index] = waiting
            if self.fair:
                queue.append((index, sample))
            else:
                self._send.send_nowait((index, sample))
        if queue:
            self._queues[self.requests] = queue
            self._turns.append(self.requests)
            self._changed.set()
        for waiting in waits:
            await waiting.done.wait()
        self.latencies_ms.append((time.monotonic() - started) * 1000)
        return [w.result for w in waits if w.result is not None]

    def samples_per_s(self, window_s: float = 60.0) -> float:
        now = time.monotonic()
        recent = [t for t in self._finished_at if now - t <= window_s]
        if len(recent) < 2:
            return 0.0
        return len(recent) / max(now - recent[0], 1e-9)

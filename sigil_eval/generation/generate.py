"""A generation run: every problem's missing samples requested with bounded concurrency, each sample written to
the samples file and handed on the moment it arrives (so `run` can judge while the server still generates)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from anyio.streams.memory import MemoryObjectSendStream

from sigil_eval.generation.prompts import Prompted
from sigil_eval.generation.samples_file import SamplesFile
from sigil_eval.generation.settings import GenerationSettings
from sigil_eval.records import GeneratedSample


@dataclass
class GenerationStats:
    requested: int = 0  # samples asked for in this run
    generated: int = 0  # … that came back with an answer
    errors: int = 0  # … that failed after the client's retries (recorded, never judged)
    resumed: int = 0  # samples an earlier run had generated
    requests: int = 0  # HTTP requests that got an answer or gave up (the client's retries not counted)
    singles: bool = False  # the server refused n > 1
    error_kinds: dict[str, int] = field(default_factory=dict)


class Generation:
    """`async for sample in Generation(problems, settings, path).samples(): …` yields the new samples (answers
    and generation errors); `resumed` holds the earlier runs' answers, which are not generated again."""

    def __init__(self, problems: Sequence[Prompted], settings: GenerationSettings, path: Path) -> None:
        self.problems = list(problems)
        self.settings = settings
        self.file = SamplesFile(path)
        self.resumed = self.file.load()
        self.stats = GenerationStats(resumed=len(self.resumed))
        self.line = self.file.lines  # the samples file's line of the sample `samples()` yielded last
        done = {(s.task_id, s.completion_id) for s in self.resumed}
        self.missing = [
            (problem, ids)
            for problem in self.problems
            if (ids := [cid for cid in range(settings.n) if (problem.task_id, cid) not in done])
        ]
        self.stats.requested = sum(len(ids) for _, ids in self.missing)

    async def samples(self) -> AsyncIterator[GeneratedSample]:
        from sigil_eval.generation.client import GenerationClient  # openai takes ~0.5 s to import: judging needs none

        client = GenerationClient(self.settings)
        units_send, units = anyio.create_memory_object_stream[tuple[Prompted, list[int]]](max_buffer_size=math.inf)
        out_send, out = anyio.create_memory_object_stream[GeneratedSample](max_buffer_size=self.settings.concurrency)
        for unit in self.missing:
            units_send.send_nowait(unit)
        pending = [self.stats.requested]  # samples not yet answered or failed

        async def worker(send: MemoryObjectSendStream[GeneratedSample]) -> None:
            async with send:
                async for problem, ids in units:
                    made, left = await client.generate(problem, ids)
                    for sample in made:
                        await send.send(sample)
                    pending[0] -= len(made)
                    if client.singles:  # one request each, spread over the workers
                        for cid in left:
                            units_send.send_nowait((problem, [cid]))
                    elif left:
                        units_send.send_nowait((problem, left))
                    if pending[0] == 0:
                        units_send.close()

        self.file.open()
        try:
            async with anyio.create_task_group() as group:
                if not pending[0]:
                    units_send.close()
                for _ in range(self.settings.concurrency):
                    group.start_soon(worker, out_send.clone())
                out_send.close()
                async with out:
                    async for sample in out:
                        self.line = self.file.append(sample)
                        self._count(sample)
                        yield sample
        finally:
            self.file.close()
            self.stats.requests = client.requests
            self.stats.singles = client.singles
            await client.close()

    def _count(self, sample: GeneratedSample) -> None:
        if sample.generation_error is None:
            self.stats.generated += 1
            return
        self.stats.errors += 1
        kind = sample.generation_error.split(":", 1)[0]
        self.stats.error_kinds[kind] = self.stats.error_kinds.get(kind, 0) + 1

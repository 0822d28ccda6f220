"""Stall warnings: when no result has arrived for a while, say which samples are in flight."""

from __future__ import annotations

import time

import anyio
import structlog

log = structlog.get_logger("sigil_eval")


class StallWatch:
    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._in_flight: dict[int, tuple[str, float]] = {}  # sample index → (task id, start)
        self._last_progress = time.monotonic()

    def started(self, index: int, task_id: str) -> None:
        self._in_flight[index] = (task_id, time.monotonic())

    def finished(self, index: int) -> None:
        self._last_progress = time.monotonic()
        self._in_flight.pop(index, None)

    async def run(self) -> None:
        """Runs until cancelled; warns at most once per `limit_s`."""
        warned_at = 0.0
        while True:
            await anyio.sleep(min(5.0, self.limit_s))
            now = time.monotonic()
            idle = now - self._last_progress
            if self._in_flight and idle >= self.limit_s and now - warned_at >= self.limit_s:
                warned_at = now
                oldest = sorted(self._in_flight.items(), key=lambda entry: entry[1][1])[:10]
                log.warning(
                    "no result for a while",
                    idle_s=round(idle),
                    in_flight=len(self._in_flight),
                    oldest=[f"{task} (line {index + 1}, {now - started:.0f} s)" for index, (task, started) in oldest],
                )

"""Progress of a run: for a person at a terminal, a progress bar (done/total, samples/s, ETA, pass rate so far,
errors so far); otherwise, and with --log-json, a log line every 10 seconds. Log lines printed while the bar
is up (stall warnings) appear above it."""

from __future__ import annotations

import time
from types import TracebackType

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from sigil_eval.records import Result

log = structlog.get_logger("sigil_eval")
LOG_EVERY_S = 10.0


class RunProgress:
    def __init__(self, total: int, *, interactive: bool) -> None:
        self.total = total
        self.done = self.passed = self.failed = 0
        self.started = time.perf_counter()
        self._last_log = self.started
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if interactive and total:
            self._bar = Progress(
                TextColumn("[bold]judging"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:>7.1f}/s"),
                TimeRemainingColumn(),
                TextColumn("passed {task.fields[pass_rate]:>5.1%}  failed {task.fields[failed]}"),
                console=Console(stderr=True),
                redirect_stderr=True,
                redirect_stdout=False,
            )
            self._task = self._bar.add_task("judging", total=total, rate=0.0, pass_rate=0.0, failed=0)

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, result: Result) -> None:
        self.done += 1
        if result.passed:
            self.passed += 1
        else:
            self.failed += 1
        now = time.perf_counter()
        rate = self.done / max(now - self.started, 1e-9)
        if self._bar is not None and self._task is not None:
            pass_rate = self.passed / self.done
            self._bar.update(self._task, advance=1, rate=rate, pass_rate=pass_rate, failed=self.failed)
        elif now - self._last_log >= LOG_EVERY_S or self.done == self.total:
            self._last_log = now
            eta = (self.total - self.done) / rate if rate else 0.0
            log.info(
                "progress",
                done=self.done,
                total=self.total,
                rate=round(rate, 2),
                eta_s=round(eta),
                passed=self.passed,
                failed=self.failed,
            )

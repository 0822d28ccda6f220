"""Progress of a run: for a person at a terminal, progress bars — generating (generated/asked, errors so far),
when a model server is asked, and judging (done/total, samples/s, ETA, pass rate so far, failures so far);
otherwise, and with --log-json, a log line every 10 seconds. Log lines printed while the bars are up (stall
warnings) appear above them."""

from __future__ import annotations

import time
from types import TracebackType

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from sigil_eval.records import GeneratedSample, Result

log = structlog.get_logger("sigil_eval")
LOG_EVERY_S = 10.0


class RunProgress:
    def __init__(self, total: int, *, interactive: bool, generating: int = 0, judging: bool = True) -> None:
        self._total = total
        self.done = self.passed = self.failed = 0
        self.asked = generating
        self.answered = self.generation_errors = 0
        self.started = time.perf_counter()
        self._last_log = self.started
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._generation: TaskID | None = None
        if interactive:
            self._bar = Progress(
                TextColumn("[bold]{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:>7.1f}/s"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[tail]}"),
                console=Console(stderr=True),
                redirect_stderr=True,
                redirect_stdout=False,
            )
            if generating:
                self._generation = self._bar.add_task("generating", total=generating, rate=0.0, tail="errors 0")
            if judging:
                self._task = self._bar.add_task("judging", total=total or None, rate=0.0, tail="")

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, total: int) -> None:
        self._total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total or None)

    def __enter__(self) -> RunProgress:
        if self._bar is not None and (self._total or self.asked):
            self._bar.start()
        return self

    def generated(self, sample: GeneratedSample) -> None:
        self.answered += 1
        self.generation_errors += sample.generation_error is not None
        if self._bar is not None and self._generation is not None:
            rate = self.answered / max(time.perf_counter() - self.started, 1e-9)
            self._bar.update(self._generation, advance=1, rate=rate, tail=f"errors {self.generation_errors}")
        else:
            self._log_now()

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
            tail = f"passed {self.passed / self.done:>5.1%}  failed {self.failed}"
            self._bar.update(self._task, advance=1, rate=rate, tail=tail)
        else:
            self._log_now(final=self.done == self._total)

    def _log_now(self, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self._last_log < LOG_EVERY_S:
            return
        self._last_log = now
        rate = self.done / max(now - self.started, 1e-9)
        eta = (self._total - self.done) / rate if rate else 0.0
        fields = {
            "done": self.done,
            "total": self._total,
            "rate": round(rate, 2),
            "eta_s": round(eta),
            "passed": self.passed,
            "failed": self.failed,
        }
        if self.asked:
            fields |= {"generated": self.answered, "asked": self.asked, "generation_errors": self.generation_errors}
        log.info("progress", **fields)

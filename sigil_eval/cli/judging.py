"""Judging into files, for every command that judges (`evaluate`, `run`): resume from the journal, stream the
samples through the evaluator, journal and tally each verdict, write the results and the rejections, print the
report. Nothing here holds the samples or the results in memory."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import msgspec
import structlog

from sigil_eval.engine.evaluator import Evaluator
from sigil_eval.generation.generate import Generation
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.samples import sample_from_object
from sigil_eval.metrics.report import Tally, format_summary, human_eval_rust_metrics
from sigil_eval.outputs.files import REJECTIONS_SUFFIX, SUMMARY_SUFFIX, beside, write_atomically
from sigil_eval.outputs.journal import Journal
from sigil_eval.outputs.progress import RunProgress
from sigil_eval.records import GeneratedSample, Rejection, Report, Result, Sample
from sigil_eval.report import write_report

Entry = tuple[int, Sample | Rejection]
log = structlog.get_logger("sigil_eval")


def interactive(args: argparse.Namespace) -> bool:
    """Progress bars for a person at a terminal; log lines for pipes and `--log-json`."""
    return sys.stderr.isatty() and not args.log_json


async def judge_into(
    evaluator: Evaluator,
    out: Path,
    *,
    fresh: bool,
    present: Callable[[], Iterable[Entry]],
    arriving: AsyncIterable[Entry] | None = None,
    arriving_total: int = 0,
    progress: RunProgress | None = None,
    interactive: bool = False,
) -> tuple[Tally, Journal]:
    """Judge the entries `present()` gives (it is called twice: a counting pass, then the judging pass), then those
    `arriving` yields, inside an open `evaluator`. Verdicts the journal holds for the very same sample are kept.
    The caller writes the results file (`journal.finish()`) only after the evaluator has closed without an error:
    an infrastructure failure surfaces when it closes, and must leave no scores behind."""
    tally = Tally()
    journal = Journal(out, {**evaluator.verdict_settings, "problem_set": evaluator.problem_set.sha256})
    if fresh:
        journal.discard()
    else:
        journal.load()
    total = arriving_total + sum(
        1 for index, item in present() if isinstance(item, Sample) and not journal.resumes(index, item)
    )
    if journal.resumed:
        log.info("resuming from journal", kept=journal.resumed, journal=str(journal.path))
        for line in journal.results():
            tally.add(msgspec.json.decode(line, type=Result))

    progress = progress or RunProgress(total, interactive=interactive)
    progress.total = total
    journal.open()
    try:
        with progress:
            async for result in evaluator.results_indexed(unjudged(journal, present(), arriving), total):
                journal.append(result)
                tally.add(result)
                progress.advance(result)
    finally:
        journal.close()
    return tally, journal


async def unjudged(
    journal: Journal, present: Iterable[Entry], arriving: AsyncIterable[Entry] | None
) -> AsyncIterator[Entry]:
    """The entries of `present`, then of `arriving`, whose verdict the journal does not hold already."""
    for index, item in present:
        if not (isinstance(item, Sample) and journal.resumes(index, item)):
            yield index, item
    if arriving is not None:
        async for index, item in arriving:
            if not (isinstance(item, Sample) and journal.resumes(index, item)):
                yield index, item


def report_files(
    evaluator: Evaluator,
    tally: Tally,
    out: Path,
    args: argparse.Namespace,
    started: float,
    *,
    extra: Iterable[Rejection] = (),
    lines: Iterable[str] = (),
) -> Report:
    """Write the rejections and the run's summary beside the results, print the report (and `--json`'s line),
    draw the page `--report` asks for."""
    rejections = [*evaluator.rejections, *extra]
    rejects_path = beside(out, REJECTIONS_SUFFIX)
    if rejections:
        write_jsonl(rejects_path, rejections)
    report = tally.report(
        rejections,
        ks=args.k,
        setting=evaluator.setting,
        stats=evaluator.stats,
        elapsed_s=time.perf_counter() - started,
    )
    write_atomically(beside(out, SUMMARY_SUFFIX), msgspec.json.encode(report))
    print(format_summary(report), file=sys.stderr)
    for line in lines:
        print(line, file=sys.stderr)
    print(f"  results: {out}" + (f"   rejections: {rejects_path}" if rejections else ""), file=sys.stderr)
    if args.report:
        write_report([out], Path(args.report), problem_set=evaluator.problem_set)
        print(f"  report: {args.report}", file=sys.stderr)
    if args.json:
        sys.stdout.write(
            msgspec.json.encode({**human_eval_rust_metrics(report), **msgspec.to_builtins(report)}).decode() + "\n"
        )
    return report


class GeneratedEntries:
    """A generation run's samples as judging entries, read as `evaluate` reads a samples file: a Sample, or (a
    generation error) a located rejection. An entry's index is its place in the results file — task by task in
    `order`, `n` each — the same on every rerun."""

    def __init__(
        self,
        generation: Generation,
        known: Mapping[str, object],
        order: Sequence[str],
        n: int,
        on_arrival: Callable[[GeneratedSample], None] = lambda _: None,
    ) -> None:
        self.generation, self.known, self.n, self.on_arrival = generation, known, n, on_arrival
        self.position = {task_id: i for i, task_id in enumerate(order)}

    def _entry(self, generated: GeneratedSample, line: int) -> Entry:
        index = self.position[generated.task_id] * self.n + generated.completion_id
        sample = sample_from_object(generated, self.known)
        if isinstance(sample, str):
            return index, Rejection(source=str(self.generation.file.path), line=line, reason=sample)
        return index, sample

    def present(self) -> Iterator[Entry]:
        """What earlier runs generated (for the tasks and n asked now)."""
        for line, generated in enumerate(self.generation.resumed, start=1):
            if generated.task_id in self.position and generated.completion_id < self.n:
                yield self._entry(generated, line)

    async def arriving(self) -> AsyncIterator[Entry]:
        """What this run generates, as it arrives."""
        async for generated in self.generation.samples():
            self.on_arrival(generated)
            yield self._entry(generated, self.generation.line)

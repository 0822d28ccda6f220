"""Crate tasks on the command line (`--problems tasks.jsonl` holding crates): `sigil-eval samples.jsonl` judges
a samples file, `generate` asks a chat model for answers, `run` does both at once (each answer judged as it
arrives). Results are journaled as they come (a rerun resumes), written in input order, with pass@k, the mean
fraction of tests passed, the compile rate and the error types; `--report` draws the page with the task table."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import msgspec

from sigil_eval.cli.flags import options_from_args
from sigil_eval.cli.judging import Entry, GeneratedEntries, unjudged
from sigil_eval.crates.evaluate import judge_crate_samples
from sigil_eval.crates.task import CrateTask
from sigil_eval.errors import InputError
from sigil_eval.generation.generate import Generation
from sigil_eval.generation.settings import GenerationSettings
from sigil_eval.inputs.crate_tasks import load_crate_tasks
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.samples import read_samples
from sigil_eval.metrics.crate_report import CrateReport, CrateTally, format_crate_summary
from sigil_eval.options import EvalOptions
from sigil_eval.outputs.files import REJECTIONS_SUFFIX, SUMMARY_SUFFIX, beside, write_atomically
from sigil_eval.outputs.journal import Journal
from sigil_eval.records import CrateTaskResult, Rejection
from sigil_eval.report import write_crate_report


def _journal_settings(tasks_file: Path, options: EvalOptions) -> dict[str, object]:
    """What besides a sample decides its verdict: a journal of other settings is not resumed."""
    return {
        "crate_tasks": hashlib.sha256(tasks_file.read_bytes()).hexdigest(),
        "run_budget": options.run_budget,
        "compile_budget": options.compile_budget,
        "sandbox": options.sandbox,
    }


def chat_only(settings: GenerationSettings) -> None:
    if settings.api != "chat":
        raise InputError("crate tasks are asked for whole crates: pass --api chat (a base model has none to continue)")


async def evaluate_crate_tasks(args: argparse.Namespace) -> int:
    tasks = load_crate_tasks(args.problems)
    known = {task.task_id: task for task in tasks}
    samples_path = Path(args.samples)
    out = Path(args.out) if args.out else samples_path.with_name(samples_path.name + "_results.jsonl")
    await judge_crate_entries(tasks, read_samples(samples_path, known), None, out, args, source=str(samples_path))
    return 0


async def run_crate_tasks(args: argparse.Namespace, settings: GenerationSettings, out: Path, samples: Path) -> int:
    """Generate answers to the crate tasks and judge each as it arrives."""
    chat_only(settings)
    tasks = load_crate_tasks(args.problems)[: args.limit]
    generation = Generation(tasks, settings, samples)
    entries = GeneratedEntries(
        generation, {task.task_id: task for task in tasks}, [t.task_id for t in tasks], settings.n
    )
    await judge_crate_entries(tasks, entries.present(), entries.arriving(), out, args, source=str(samples))
    stats = generation.stats
    print(
        f"  generated {stats.generated} of {stats.requested} asked, {stats.errors} errors: {samples}", file=sys.stderr
    )
    return 0


async def judge_crate_entries(
    tasks: list[CrateTask],
    present: Iterable[Entry],
    arriving: AsyncIterator[Entry] | None,
    out: Path,
    args: argparse.Namespace,
    *,
    source: str,
) -> CrateReport:
    """Judge `present`, then what `arriving` yields, into `out` (journaled: the verdicts an earlier run left for
    the very same samples are kept), then write the rejections and the summary and print the report."""
    options = options_from_args(args)
    journal = Journal(out, _journal_settings(Path(args.problems), options))
    if args.fresh:
        journal.discard()
    else:
        journal.load()
    rejections: list[Rejection] = []

    journal.open()
    try:
        pending = unjudged(journal, present, arriving)
        await judge_crate_samples(tasks, pending, options, journal.append, rejections, source)
    finally:
        journal.close()
    tally = CrateTally()
    for line in journal.results():
        tally.add(msgspec.json.decode(line, type=CrateTaskResult))
    journal.finish()
    if rejections:
        write_jsonl(beside(out, REJECTIONS_SUFFIX), rejections)
    report = tally.report(rejections, args.k)
    write_atomically(beside(out, SUMMARY_SUFFIX), msgspec.json.encode(report))
    print(format_crate_summary(report), file=sys.stderr)
    print(f"  results: {out}", file=sys.stderr)
    if getattr(args, "report", None):
        write_crate_report(out, Path(args.report), tasks)
        print(f"  report: {args.report}", file=sys.stderr)
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    return report

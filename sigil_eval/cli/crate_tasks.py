"""`sigil-eval samples.jsonl --problems tasks.jsonl` where the tasks are crates (issue 26, in progress): every
sample judged alone against its crate's tests (`crates.evaluate`), results journaled as they come (a rerun
resumes), written in input order, with pass@k, the mean fraction of tests passed and the compile rate."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec

from sigil_eval.cli.flags import options_from_args
from sigil_eval.crates.evaluate import judge_crate_samples
from sigil_eval.inputs.crate_tasks import load_crate_tasks
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.samples import read_samples
from sigil_eval.metrics.crate_report import CrateTally, format_crate_summary
from sigil_eval.options import EvalOptions
from sigil_eval.outputs.files import REJECTIONS_SUFFIX, SUMMARY_SUFFIX, beside, write_atomically
from sigil_eval.outputs.journal import Journal
from sigil_eval.records import CrateTaskResult, Rejection, Sample


def _journal_settings(tasks_file: Path, options: EvalOptions) -> dict[str, object]:
    """What besides a sample decides its verdict: a journal of other settings is not resumed."""
    return {
        "crate_tasks": hashlib.sha256(tasks_file.read_bytes()).hexdigest(),
        "run_budget": options.run_budget,
        "compile_budget": options.compile_budget,
        "sandbox": options.sandbox,
    }


async def evaluate_crate_tasks(args: argparse.Namespace) -> int:
    tasks = load_crate_tasks(args.problems)
    known = {task.task_id: task for task in tasks}
    samples_path = Path(args.samples)
    out = Path(args.out) if args.out else samples_path.with_name(samples_path.name + "_results.jsonl")
    options = options_from_args(args)
    journal = Journal(out, _journal_settings(Path(args.problems), options))
    if args.fresh:
        journal.discard()
    else:
        journal.load()
    tally = CrateTally()
    rejections: list[Rejection] = []

    async def pending() -> AsyncIterator[tuple[int, Sample | Rejection]]:
        for index, item in read_samples(samples_path, known):
            if isinstance(item, Sample) and journal.resumes(index, item):
                continue
            yield index, item

    def record(result: CrateTaskResult) -> None:
        journal.append(result)

    journal.open()
    try:
        await judge_crate_samples(tasks, pending(), options, record, rejections)
    finally:
        journal.close()
    for line in journal.results():
        tally.add(msgspec.json.decode(line, type=CrateTaskResult))
    journal.finish()
    if rejections:
        write_jsonl(beside(out, REJECTIONS_SUFFIX), rejections)
    report = tally.report(rejections, args.k)
    write_atomically(beside(out, SUMMARY_SUFFIX), msgspec.json.encode(report))
    print(format_crate_summary(report), file=sys.stderr)
    print(f"  results: {out}", file=sys.stderr)
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    return 0

"""`sigil-eval report`: the HTML page of one run, or of several compared, from their results files alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sigil_eval.errors import InputError
from sigil_eval.inputs.crate_tasks import load_crate_tasks
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.outputs.files import beside
from sigil_eval.report import is_crate_results, write_crate_report, write_report


def add_report_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", metavar="PATH", help="also draw the run's HTML report (needs the report extra)")


def add_report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="draw a self-contained HTML report of results files (needs the report extra)",
        description="Draw one run's report, or compare runs on the same problems: the first file is the baseline.",
    )
    report.add_argument("results", help="a results file (the --out of evaluate or run)")
    report.add_argument(
        "--compare", nargs="+", default=[], metavar="OTHER", help="results files of other runs (checkpoints)"
    )
    report.add_argument(
        "--label", action="append", default=[], help="a name for each run, in order (default: its file name)"
    )
    report.add_argument(
        "--problems", help="the problem set the runs used: names problems without results and other set versions"
    )
    report.add_argument("--out", help="the page (default: <RESULTS stem>.html)")
    report.add_argument("--png", metavar="DIR", help="also write the main charts as PNG files into DIR")


def report_command(args: argparse.Namespace) -> int:
    results = [Path(args.results), *(Path(p) for p in args.compare)]
    for path in results:
        if not path.is_file():
            raise InputError(f"{path}: no such results file")
    out = Path(args.out) if args.out else beside(results[0], ".html")
    if is_crate_results(results[0]):
        if args.compare:
            raise InputError("crate-task runs are drawn one at a time: --compare is for function problem runs")
        write_crate_report(results[0], out, load_crate_tasks(args.problems) if args.problems else ())
        print(f"sigil-eval: report written to {out}", file=sys.stderr)
        return 0
    problem_set = load_problem_set(args.problems) if args.problems else None
    write_report(results, out, labels=args.label, problem_set=problem_set, png_dir=args.png)
    print(f"sigil-eval: report written to {out}", file=sys.stderr)
    return 0

"""`sigil-eval` — a thin layer over the API: parse flags, stream a file through the Evaluator, report."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import structlog

from sigil_eval.cargo_cache import resolve_toolchain, warm
from sigil_eval.cli.crate_tasks import evaluate_crate_tasks
from sigil_eval.cli.flags import ShowDefaults, add_option_flags, options_from_args
from sigil_eval.cli.generate import add_generation_flags, generate_command, run_command
from sigil_eval.cli.judging import interactive, judge_into, report_files
from sigil_eval.cli.report import add_report_flag, add_report_parser, report_command
from sigil_eval.cli.serve import add_serve_parser, serve_command
from sigil_eval.crates.warm import declared, warm_crate_tasks
from sigil_eval.datasets.check import check_problem_set, format_defects, format_in_process
from sigil_eval.datasets.demo import demo_samples
from sigil_eval.datasets.humaneval.build import build as build_set
from sigil_eval.datasets.humaneval.build import built_set_path
from sigil_eval.engine.evaluator import Evaluator, first_sigil_error, resolve_problems
from sigil_eval.engine.plus_inputs import plus_inputs_path
from sigil_eval.errors import SigilError
from sigil_eval.extras import require_extra
from sigil_eval.inputs.crate_tasks import holds_crate_tasks, load_crate_tasks
from sigil_eval.inputs.jsonl import write_jsonl
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.inputs.samples import convert_pipeline_file, read_samples
from sigil_eval.metrics.report import DEFAULT_KS, human_eval_rust_metrics
from sigil_eval.outputs.log import configure_logging

SUBCOMMANDS = ("evaluate", "generate", "run", "serve", "report", "convert", "warm", "dataset")
log = structlog.get_logger("sigil_eval")


def _ks(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("k values must be positive integers")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sigil-eval", description="Evaluate Rust completions: pass@k + diagnostics.")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    parser.add_argument("--log-json", action="store_true", help="structured JSON log lines on stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    shown = ShowDefaults

    ev = sub.add_parser("evaluate", help="evaluate a samples file (the default command)", formatter_class=shown)
    ev.add_argument("samples", help="JSONL (.gz ok) of {task_id, completion[, completion_id]}")
    ev.add_argument(
        "--problems",
        "--problem_file",
        "--problem-file",
        dest="problems",
        help="problem set (.jsonl/.jsonl.gz, any supported shape); default: the built-in HumanEval-Rust set",
    )
    ev.add_argument("--k", "--ks", dest="k", type=_ks, default=list(DEFAULT_KS), help="the k of pass@k, e.g. 1,10,100")
    add_option_flags(ev)
    ev.add_argument("--out", help="results file (default: <SAMPLES>_results.jsonl)")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object on stdout's last line")
    ev.add_argument("--fresh", action="store_true", help="ignore the journal of an interrupted earlier run")
    add_report_flag(ev)
    ev.add_argument(
        "--human-eval-rust-output", action="store_true", help=argparse.SUPPRESS
    )  # evaluate_functional_correctness

    gen = sub.add_parser(
        "generate", help="ask an OpenAI-compatible server for samples (resumable)", formatter_class=shown
    )
    add_generation_flags(gen)
    gen.add_argument("--problems", help="problem set (default: the built-in set)")
    gen.add_argument("--out", required=True, help="the samples file (appended; a rerun generates what is missing)")

    run = sub.add_parser(
        "run", help="generate and judge at once: each sample is judged as it arrives", formatter_class=shown
    )
    add_generation_flags(run)
    run.add_argument("--problems", help="problem set (default: the built-in set)")
    run.add_argument("--k", "--ks", dest="k", type=_ks, default=list(DEFAULT_KS), help="the k of pass@k")
    add_option_flags(run)
    run.add_argument("--out", help="results file (default: <MODEL>_results.jsonl; samples beside it, .samples.jsonl)")
    run.add_argument("--json", action="store_true", help="print the metrics as one JSON object on stdout's last line")
    run.add_argument("--fresh", action="store_true", help="ignore the journal of an interrupted earlier run")
    add_report_flag(run)

    add_serve_parser(sub)
    add_report_parser(sub)

    cv = sub.add_parser("convert", help="turn pipeline {prompt, gen} lines into eval samples")
    cv.add_argument("source")
    cv.add_argument("--out", help="default: <SOURCE stem>.samples.jsonl")

    warm_parser = sub.add_parser("warm", help="build the shared crate cache (rand, regex, md5) for this toolchain")
    warm_parser.add_argument(
        "--problems", help="a file of crate tasks: fetch (vendor) the crates their Cargo.toml files declare"
    )

    ds = sub.add_parser("dataset", help="problem-set tools")
    ds_sub = ds.add_subparsers(dest="dataset_command", required=True)
    check = ds_sub.add_parser(
        "check", help="canonical solutions must pass, trivial bodies must fail", formatter_class=shown
    )
    check.add_argument("--problems", help="problem set (default: the built-in set)")
    add_option_flags(check, ("workers", "timeout", "sandbox", "prelude", "tests"))
    check.add_argument("--repeats", type=int, default=2, help="runs of each canonical solution (finds flaky tests)")
    build = ds_sub.add_parser("build", help="build the built-in HumanEval-Rust set and print its path and sha256")
    build.add_argument("--out", help="write it here instead of the cache directory")
    add_option_flags(build, ("tests", "workers", "sandbox"))
    demo = ds_sub.add_parser("samples", help="write demo samples: canonical solutions plus a few wrong answers")
    demo.add_argument("--problems", help="problem set (default: the built-in set)")
    demo.add_argument("--out", required=True)
    return parser


def normalise_argv(argv: Sequence[str]) -> list[str]:
    """`sigil-eval FILE …` means `sigil-eval evaluate FILE …`; human-eval-rust's `--k=1,10` style works as is."""
    args = list(argv)
    first = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if (
        first is not None
        and args[first] not in SUBCOMMANDS
        and "-h" not in args[:first]
        and "--help" not in args[:first]
    ):
        args.insert(first, "evaluate")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(normalise_argv(sys.argv[1:] if argv is None else argv))
    configure_logging(verbose=args.verbose, json_lines=args.log_json)
    try:
        if getattr(args, "report", None):
            require_extra("report", "--report")  # before the run, not after it
        if args.command == "convert":
            return _convert(args)
        if args.command == "report":
            return report_command(args)
        command = {
            "warm": _warm,
            "dataset": _dataset,
            "evaluate": _evaluate,
            "generate": generate_command,
            "run": run_command,
            "serve": serve_command,
        }[args.command]
        return _run_async(command, args)
    except SigilError as exc:
        print(f"sigil-eval: error: {exc}", file=sys.stderr)
        return exc.exit_code


def _run_async(func: Any, args: argparse.Namespace) -> int:
    backend_options = {}
    try:
        import uvloop  # noqa: F401

        backend_options = {"use_uvloop": True}
    except ImportError:
        pass
    try:
        return int(anyio.run(func, args, backend_options=backend_options))
    except BaseExceptionGroup as group:
        if error := first_sigil_error(group):
            raise error from None
        raise
    except KeyboardInterrupt:
        print(
            "sigil-eval: interrupted; finished results are kept in the journal, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130


def _convert(args: argparse.Namespace) -> int:
    source = Path(args.source)
    target = Path(args.out) if args.out else source.with_name(source.name.split(".")[0] + ".samples.jsonl")
    count, rejections = convert_pipeline_file(source, target)
    for rejection in rejections:
        print(f"sigil-eval: rejected {rejection}", file=sys.stderr)
    print(f"sigil-eval: wrote {count} samples to {target}", file=sys.stderr)
    return 0


async def _warm(args: argparse.Namespace) -> int:
    """Build the crate cache and say what this machine lacks to evaluate (run it on every node of a cluster).
    Exit 3 when the sandbox's tools are missing (a default run would refuse to start)."""
    toolchain = await resolve_toolchain()
    cache = await warm(toolchain)
    print(f"sigil-eval: crate cache ready for {toolchain.version}: {cache.deps_dir}", file=sys.stderr)
    if args.problems:
        tasks = load_crate_tasks(args.problems)
        vendored = await warm_crate_tasks(tasks)
        crates = ", ".join(f"{name} {version}" for name, version in declared(tasks))
        print(f"sigil-eval: {len(tasks)} crate tasks' dependencies ({crates}) in {vendored.vendor}", file=sys.stderr)
    needed = [
        f"{tool} ({fix})"
        for tool, fix in (
            ("firejail", "apt-get install firejail"),
            ("prlimit", "apt-get install util-linux"),
            ("setpriv", "apt-get install util-linux"),
        )
        if shutil.which(tool) is None
    ]
    if toolchain.clippy_driver is None:  # advisory clippy then reports "missing"; --clippy required would refuse
        print("sigil-eval: no clippy-driver: clippy_ok stays empty (rustup component add clippy)", file=sys.stderr)
    if needed:
        print("sigil-eval: this machine cannot sandbox samples; it lacks " + ", ".join(needed), file=sys.stderr)
        return 3
    print("sigil-eval: toolchain, clippy, firejail, prlimit and setpriv present", file=sys.stderr)
    return 0


async def _dataset(args: argparse.Namespace) -> int:
    if args.dataset_command == "build":
        return await _dataset_build(args)
    if args.dataset_command == "samples":
        return _dataset_samples(args)
    return await _dataset_check(args)


async def _dataset_build(args: argparse.Namespace) -> int:
    """The built-in set's path and sha256; with `--tests plus`, the plus inputs' too (built, and checked against
    our references, if the cache lacks them)."""
    path = build_set(Path(args.out)) if args.out else built_set_path()
    print(f"{path}\tsha256 {load_problem_set(path).sha256}")  # the digest the report prints, and it loads
    if args.tests != "base":
        async with Evaluator(None, options_from_args(args), clippy="off"):
            pass  # opening it with plus tests builds the plus inputs
        plus, _ = plus_inputs_path()
        print(f"{plus}\tsha256 {hashlib.sha256(plus.read_bytes()).hexdigest()}")
    return 0


def _dataset_samples(args: argparse.Namespace) -> int:
    rows = list(demo_samples(resolve_problems(args.problems)))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out, rows)
    print(f"sigil-eval: {len(rows)} demo samples written to {args.out}", file=sys.stderr)
    return 0


async def _dataset_check(args: argparse.Namespace) -> int:
    """Exit 0 when the set has no defect, 1 when it has some (listed on stdout)."""
    problem_set = resolve_problems(args.problems, prelude=args.prelude)
    defects, checked = await check_problem_set(
        problem_set,
        tests=args.tests,
        repeats=args.repeats,
        workers=args.workers,
        timeout=args.timeout,
        sandbox=args.sandbox,
        prelude=args.prelude,
        clippy="off",
    )
    print(format_defects(problem_set.name, defects, checked))
    print(format_in_process(problem_set))
    return 1 if defects else 0


def default_out(samples: Path) -> Path:
    return samples.with_name(samples.name + "_results.jsonl")


async def _evaluate(args: argparse.Namespace) -> int:
    """The samples file is read twice, never held: a first pass counts what is left to judge (the journal may
    hold some verdicts already), the second feeds the evaluator."""
    if args.problems and holds_crate_tasks(args.problems):
        return await evaluate_crate_tasks(args)
    started = time.perf_counter()
    samples_path = Path(args.samples)
    out = Path(args.out) if args.out else default_out(samples_path)
    evaluator = Evaluator(args.problems, options_from_args(args))
    known = evaluator.problem_set.problems
    async with evaluator:
        tally, journal = await judge_into(
            evaluator,
            out,
            fresh=args.fresh,
            present=lambda: read_samples(samples_path, known),
            interactive=interactive(args),
        )
    journal.finish()
    report = report_files(evaluator, tally, out, args, started)
    if args.human_eval_rust_output:
        print(human_eval_rust_metrics(report))  # human-eval-rust prints its metrics dict as Python shows it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

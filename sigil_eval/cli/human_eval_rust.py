"""`evaluate_functional_correctness`: human-eval-rust's documented command, running sigil-eval.

human-eval-rust documents `evaluate_functional_correctness SAMPLES [--k 1,10,100] [--n_workers N] [--timeout S]
[--problem_file F] [--language rust] [--sandbox_mode firejail|none] [--enforce_policy BOOL]` (Fire-style flags:
`--flag value`, `--flag=value`, `--noflag`), writes `<SAMPLES>_results.jsonl` and prints the metrics as a Python
dict. This command takes those flags, maps them onto `sigil-eval evaluate`, and prints that dict on stdout's last
line (the readable summary goes to stderr). Any other `sigil-eval evaluate` flag passes through unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sigil_eval.cli import main as cli

PROG = "evaluate_functional_correctness"


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")


def _k(text: str) -> str:
    """Fire turns `--k 1,10` into a tuple and human-eval-rust prints it back as `(1, 10)`: accept both spellings."""
    return text.strip().strip("()[]").replace(" ", "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The human-eval-rust command, run by sigil-eval: evaluates SAMPLE_FILE, writes "
        "<SAMPLE_FILE>_results.jsonl and prints human-eval-rust's metrics dict. Other sigil-eval evaluate flags "
        "pass through.",
    )
    parser.add_argument("sample_file")
    parser.add_argument("--k", type=_k, default="1,10,100", help="pass@k values, e.g. 1,10,100")
    parser.add_argument("--n_workers", "--n-workers", type=int, default=None, help="default: the CPUs we may use")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds of CPU per compile and per test run")
    parser.add_argument("--problem_file", "--problem-file", default=None, help="default: the built-in set")
    parser.add_argument("--language", default="rust", help="only rust")
    parser.add_argument("--sandbox_mode", "--sandbox-mode", default=None, help="firejail, none, or unset (auto)")
    parser.add_argument(
        "--enforce_policy", "--enforce-policy", type=_flag, nargs="?", const=True, default=True, help="default True"
    )
    parser.add_argument("--noenforce_policy", "--noenforce-policy", dest="enforce_policy", action="store_false")
    return parser


def to_sigil_argv(argv: Sequence[str]) -> list[str]:
    """The `sigil-eval` command line for a human-eval-rust command line (raises SystemExit(2) on a bad flag, like
    argparse)."""
    parser = build_parser()
    args, passthrough = parser.parse_known_args(list(argv))
    if args.language.lower() != "rust":
        parser.error(f"--language {args.language}: sigil-eval evaluates Rust only")
    sandbox = (args.sandbox_mode or "auto").lower()
    if sandbox not in ("auto", "firejail", "none"):
        parser.error(f"--sandbox_mode {args.sandbox_mode}: sigil-eval sandboxes with firejail (or none)")
    out = ["evaluate", args.sample_file, "--k", args.k, "--timeout", str(args.timeout), "--sandbox", sandbox]
    if args.n_workers is not None:
        out += ["--workers", str(args.n_workers)]
    if args.problem_file:
        out += ["--problems", args.problem_file]
    if args.enforce_policy:
        out.append("--policy")
    return [*out, "--human-eval-rust-output", *passthrough]


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(to_sigil_argv(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    raise SystemExit(main())

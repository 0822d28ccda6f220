"""Where a sample is judged: `route` is the one place that decides. A sample goes to the isolated path when
isolated mode is asked for, when it uses a construct whose meaning changes inside a module of a bigger crate, or
when its tests are of a shape the batch harness cannot drive; one whose brackets do not close (a truncated answer)
joins a batch of its kind."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sigil_eval.options import Mode
from sigil_eval.program.assemble import Program
from sigil_eval.program.rust_lexer import code_mask, delimiters_unbalanced
from sigil_eval.records import Problem
from sigil_eval.runner.batch_source import BatchModule, batch_module

# checked on the whole program (the problem's code can use them too)
_PROGRAM_CONSTRUCTS = [
    ("crate-relative path", r"\bcrate\s*::"),
    ("$crate", r"\$crate\b"),
    ("macro export", r"#\s*!?\s*\[\s*(?:macro_export|macro_use)\b"),
    ("symbol attribute", r"\b(?:no_mangle|export_name|link_section)\b"),
    ("global allocator or panic handler", r"\b(?:global_allocator|panic_handler)\b"),
    ("extern block or crate", r"\bextern\b"),
    ("inner attribute", r"#\s*!\s*\["),
    ("file inclusion", r"\binclude(?:_str|_bytes)?\s*!"),
    ("out-of-line module", r"\bmod\s+\w+\s*;"),
    ("module or file path", r"\b(?:module_path|file)\s*!|\btype_name\b"),
    ("libc", r"\blibc\b"),  # the batch harness links libc; alone, a sample cannot
    ("the harness crate", r"\bsigil_harness\b"),  # a batch crate links it; alone, a sample cannot
    ("test attributes the harness does not implement", r"#\s*\[\s*(?:should_panic|ignore|bench)\b"),
]
# checked on the completion only: the tests' own `use super::*;` and `#[test]` are expected
_COMPLETION_CONSTRUCTS = [
    ("super path", r"\bsuper\b"),
    ("own test attribute", r"#\s*\[\s*test\b"),
    # raw pointers can read the whole process: in a batch that is every other sample's code and literals
    # (alone, only its own), so `unsafe` would make a verdict depend on the neighbours
    ("unsafe code", r"\bunsafe\b"),
]


def _compiled(constructs: list[tuple[str, str]], flags: int = 0) -> list[tuple[str, re.Pattern[str]]]:
    return [(label, re.compile(pattern, flags)) for label, pattern in constructs]


# On ASCII text both sets match alike, except that Unicode `\s` also takes \x1c-\x1f, which rustc refuses
# outside literals anyway; ASCII `\b` is ~3× cheaper to test at every position, and most programs are ASCII.
_PATTERNS = {
    False: (_compiled(_PROGRAM_CONSTRUCTS), _compiled(_COMPLETION_CONSTRUCTS)),
    True: (_compiled(_PROGRAM_CONSTRUCTS, re.ASCII), _compiled(_COMPLETION_CONSTRUCTS, re.ASCII)),
}


def isolation_reason(problem: Problem, program: Program, masked: str | None = None) -> str | None:
    """Why this sample must be compiled alone, or None when it may join a batch (`masked`: the program's
    `code_mask`, when the caller has it). A syntax error is no reason: with one file per sample rustc reports
    every file's parse errors against that file; those that stop rustc at the file (`delimiters_unbalanced`)
    are batched apart, so they do not cost the clean batches a rebuild each."""
    if masked is None:
        masked = code_mask(program.source)  # Rust's whitespace as Python's: `crate\u200e::` is a path
    program_patterns, completion_patterns = _PATTERNS[masked.isascii()]
    for label, pattern in program_patterns:
        if pattern.search(masked):
            return label
    completion = program.completion_in(masked)
    for label, pattern in completion_patterns:
        if pattern.search(completion):
            return label
    return None


@dataclass(frozen=True, slots=True)
class Route:
    """A batch member (`module` set) or a sample judged alone (`alone`: why, empty in isolated mode)."""

    module: BatchModule | None = None
    syntax_error: bool = False  # a batch member whose brackets do not close: it joins a batch of its kind
    alone: str = ""


ISOLATED_MODE = Route()


def route(problem: Problem, program: Program, mode: Mode) -> Route:
    if mode == "isolated":
        return ISOLATED_MODE
    masked = code_mask(program.source)
    if reason := isolation_reason(problem, program, masked):
        return Route(alone=reason)
    module = batch_module(program, problem.test_style, f"sigil_{secrets.token_hex(8)}")
    if module is None:
        return Route(alone="tests the harness cannot drive")
    return Route(module=module, syntax_error=delimiters_unbalanced(masked))

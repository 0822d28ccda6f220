"""Which samples may share a crate. A sample goes to the isolated path when it uses a construct whose meaning
changes inside a module of a bigger crate (DESIGN.md §2); one that does not parse joins a batch of its kind."""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter_rust
from tree_sitter import Language, Parser

from sigil_eval.assemble import Program
from sigil_eval.records import Problem
from sigil_eval.rust_lexer import code_mask

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
_PROGRAM_PATTERNS = [(label, re.compile(p)) for label, p in _PROGRAM_CONSTRUCTS]
_COMPLETION_PATTERNS = [(label, re.compile(p)) for label, p in _COMPLETION_CONSTRUCTS]


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_rust.language()))


def has_syntax_error(source: str) -> bool:
    return bool(_parser().parse(source.encode()).root_node.has_error)


def isolation_reason(problem: Problem, program: Program) -> str | None:
    """Why this sample must be compiled alone, or None when it may join a batch. (A syntax error is no
    reason: with one file per sample rustc reports every file's parse errors against that file, so such
    samples are batched apart, see `has_syntax_error`, and cost one parse instead of a compile each.)"""
    masked = code_mask(program.source)
    for label, pattern in _PROGRAM_PATTERNS:
        if pattern.search(masked):
            return label
    first, last = program.completion_lines
    completion = "\n".join(masked.splitlines()[first - 1 : last])
    for label, pattern in _COMPLETION_PATTERNS:
        if pattern.search(completion):
            return label
    return None

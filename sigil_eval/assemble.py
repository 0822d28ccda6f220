"""Assemble the Rust program that is compiled for one sample."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.completion import clean_completion, defines_fn
from sigil_eval.records import Problem
from sigil_eval.rust_lexer import code_mask

PRELUDE_MODULE = "__sigil_prelude"
TESTS_MAIN = "__sigil_tests"
_MAIN_DEF = re.compile(r"\bfn\s+main\s*\(\s*\)")


@dataclass(frozen=True, slots=True)
class Program:
    source: str
    completion_lines: tuple[int, int]  # 1-based, inclusive: where the cleaned completion sits in `source`
    full_function: bool
    test_start: int  # offset in `source` where the problem's tests begin

    def with_tests(self, tests: str) -> Program:
        return Program(
            source=self.source[: self.test_start] + tests,
            completion_lines=self.completion_lines,
            full_function=self.full_function,
            test_start=self.test_start,
        )

    @property
    def tests(self) -> str:
        return self.source[self.test_start :]

    def rename_tests_main(self, visibility: str = "") -> Program | None:
        """`fn main` tests: the tests' one `fn main()` renamed to TESTS_MAIN (None when there is not exactly
        one), so the harness or a sentinel-printing main can call it."""
        mains = list(_MAIN_DEF.finditer(code_mask(self.tests)))
        if len(mains) != 1:
            return None
        found = mains[0]
        return self.with_tests(f"{self.tests[: found.start()]}{visibility}fn {TESTS_MAIN}(){self.tests[found.end() :]}")


def prelude_block(use_lines: str) -> str:
    """Imports behind a glob, so a completion's own `use` or item of the same name shadows them instead of
    colliding (E0252), and the tests' `use super::*;` still sees them."""
    if not use_lines.strip():
        return ""
    body = "\n".join("    pub " + line.strip() for line in use_lines.strip().splitlines() if line.strip())
    return (
        f"#[allow(unused_imports, deprecated)]\nmod {PRELUDE_MODULE} {{\n{body}\n}}\n"
        f"#[allow(unused_imports)]\nuse {PRELUDE_MODULE}::*;\n"
    )


def assemble(problem: Problem, raw_completion: str, *, prelude: bool = True) -> Program:
    cleaned = clean_completion(raw_completion, problem.entry_point)
    head = prelude_block(problem.prelude) if prelude else ""
    prefix = problem.code_prefix
    if cleaned.full_function:
        prefix = _without_signature(prefix, problem.entry_point)
    before = head + prefix
    if not before.endswith("\n") and cleaned.full_function:
        before += "\n"
    first = before.count("\n") + 1
    code = cleaned.code if cleaned.code.endswith("\n") else cleaned.code + "\n"
    last = first + code.count("\n") - 1
    head_and_code = before + code + "\n"
    test = problem.test.lstrip("\n")
    source = head_and_code + test + ("" if test.endswith("\n") else "\n")
    return Program(
        source=source,
        completion_lines=(first, max(first, last)),
        full_function=cleaned.full_function,
        test_start=len(head_and_code),
    )


def _without_signature(prefix: str, entry_point: str) -> str:
    """Drop the prompt's open signature (and everything after it) when the completion brings the function."""
    matches = list(_iter_fn(prefix, entry_point))
    if not matches:
        return prefix
    return prefix[: matches[-1]]


def _iter_fn(prefix: str, name: str) -> list[int]:
    starts: list[int] = []
    offset = 0
    while (m := defines_fn(prefix[offset:], name)) is not None:
        starts.append(offset + m.start())
        offset += m.end()
    return starts


def split_use_lines(code: str) -> tuple[str, str]:
    """Split leading top-level `use …;` lines (the HumanEval-X declaration prelude) from the rest."""
    uses: list[str] = []
    rest: list[str] = []
    for line in code.splitlines(keepends=True):
        if not rest and re.match(r"\s*use\s+[^;]+;\s*$", line):
            uses.append(line.strip())
        elif not rest and not line.strip():
            continue
        else:
            rest.append(line)
    return "\n".join(uses), "".join(rest)

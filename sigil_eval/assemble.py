"""Assemble the Rust program that is compiled for one sample."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.completion import clean_completion, defines_fn
from sigil_eval.records import Problem
from sigil_eval.rust_items import top_level_items, without_items
from sigil_eval.rust_lexer import brace_depth, code_mask

PRELUDE_MODULE = "__sigil_prelude"
USES_MODULE = "__sigil_uses"
TESTS_MAIN = "__sigil_tests"
_MAIN_DEF = re.compile(r"\bfn\s+main\s*\(\s*\)")


@dataclass(frozen=True, slots=True)
class Program:
    source: str
    completion_lines: tuple[int, int]  # 1-based, inclusive: where the cleaned completion sits in `source`
    full_function: bool
    test_start: int  # offset in `source` where the problem's tests begin
    no_code: bool = False  # the answer held no code: nothing of it is in `source`

    def with_tests(self, tests: str) -> Program:
        return Program(
            source=self.source[: self.test_start] + tests,
            completion_lines=self.completion_lines,
            full_function=self.full_function,
            test_start=self.test_start,
            no_code=self.no_code,
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


def prelude_block(use_lines: str, module: str = PRELUDE_MODULE) -> str:
    """Imports behind a glob, so a completion's own `use` or item of the same name shadows them instead of
    colliding (E0252), and the tests' `use super::*;` still sees them. Two such globs naming the same item
    (the HumanEval-X prelude and a prompt's own `use` lines) do not conflict either."""
    items = [_public(line) for line in use_lines.splitlines() if line.strip()]
    if not items:
        return ""
    body = "\n".join(f"    {item}" for item in items)
    return (
        f"#[allow(unused_imports, deprecated)]\nmod {module} {{\n{body}\n}}\n"
        f"#[allow(unused_imports)]\nuse {module}::*;\n"
    )


def _public(use_item: str) -> str:
    return "pub " + re.sub(r"^\s*pub(?:\s*\([^)]*\))?\s+", "", use_item.strip())


def assemble(problem: Problem, raw_completion: str, *, prelude: bool = True) -> Program:
    open_braces, _ = brace_depth(code_mask(problem.code_prefix))
    cleaned = clean_completion(raw_completion, problem.entry_point, open_braces)
    head = (prelude_block(problem.prelude) if prelude else "") + prelude_block(problem.uses, USES_MODULE)
    prefix = problem.code_prefix
    if cleaned.full_function:
        prefix = _without_signature(prefix, problem.entry_point)
        # Answers that bring the whole function often bring the prompt's helpers (`is_palindrome`, a `Value`
        # enum) again: the answer's definition wins, as it does for the entry point, instead of E0428.
        prefix = without_items(prefix, {item.name for item in top_level_items(cleaned.code)})
    before = head + prefix
    if before and not before.endswith("\n") and cleaned.full_function:
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
        no_code=cleaned.no_code,
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


_USE_ITEM = re.compile(r"(?m)^[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?use\s+(?!(?:self|super|crate)\b)")


def hoist_uses(code: str) -> tuple[str, str]:
    """Split a problem's top-level `use` items (one per line, whitespace collapsed) from the rest of its code.

    They go behind a glob import (`prelude_block`) rather than staying in the prompt's code: answers that bring
    the whole function very often repeat the prompt's `use` lines, and two `use` of one name in one module are
    an error (E0252), while an explicit `use` simply shadows a glob. Relative paths (`self::`, `super::`,
    `crate::`) stay where they are: they mean something else inside the prelude module."""
    mask = code_mask(code)
    uses: list[str] = []
    kept: list[str] = []
    position = 0
    for match in _USE_ITEM.finditer(mask):
        if match.start() < position or brace_depth(mask[: match.start()])[0] != 0:
            continue
        end = _statement_end(mask, match.end())
        if end is None:
            break
        uses.append(" ".join(code[match.start() : end + 1].split()))
        kept.append(code[position : match.start()])
        position = end + 1
        if code.startswith("\n", position):
            position += 1
    kept.append(code[position:])
    return "\n".join(uses), "".join(kept)


def _statement_end(mask: str, start: int) -> int | None:
    """Offset of the `;` ending a `use` item that starts before `start` (braces of a use tree skipped)."""
    depth = 0
    for i in range(start, len(mask)):
        if mask[i] == "{":
            depth += 1
        elif mask[i] == "}":
            depth -= 1
        elif mask[i] == ";" and depth == 0:
            return i
    return None

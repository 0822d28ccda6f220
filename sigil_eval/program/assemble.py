"""Assemble the Rust program that is compiled for one sample."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sigil_eval.program.completion import clean_completion
from sigil_eval.program.oracle import compiled_tests
from sigil_eval.program.rust_items import fn_heads, item_start, top_level_items, without_items
from sigil_eval.program.rust_lexer import brace_depth, code_mask
from sigil_eval.program.rust_uses import flatten_use, imports_of, without_repeated_imports
from sigil_eval.records import Problem

PRELUDE_MODULE = "__sigil_prelude"
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

    def completion_in(self, text: str) -> str:
        """The completion's lines of `text` (`source`, or a same-length mask of it), each ending in a newline; cut
        at `\n` as rustc counts lines (`splitlines` would also break at form feeds and U+2028)."""
        first, last = self.completion_lines
        return "".join(f"{line}\n" for line in text.split("\n")[first - 1 : last])

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
    colliding (E0252), and the tests' `use super::*;` still sees them. (Only for imports the harness adds, not
    for the prompt's own: see `rust_uses`.)"""
    items = [_public(line) for line in use_lines.splitlines() if line.strip()]
    if not items:
        return ""
    body = "\n".join(f"    {item}" for item in items)
    return (
        f"#[allow(unused_imports, deprecated)]\nmod {PRELUDE_MODULE} {{\n{body}\n}}\n"
        f"#[allow(unused_imports)]\nuse {PRELUDE_MODULE}::*;\n"
    )


@lru_cache(maxsize=4096)
def _prelude(use_lines: str, tests: str) -> str:
    """The harness's `use` prelude: behind a glob (see `prelude_block`), except the names the tests mention.
    Those are imported explicitly, so an answer cannot shadow what the tests construct and compare with (its
    own `HashMap` whose `==` always holds); an answer repeating such an import exactly is fine (`rust_uses`).
    It depends on the problem only, so it is worked out once per problem, not per sample."""
    if not use_lines.strip():
        return ""
    # a name after `::` is a path segment (`::std::collections::HashMap`): it needs no import
    mentioned = set(re.findall(r"(?<!:)\b[A-Za-z_]\w*\b", code_mask(tests)))
    explicit: list[str] = []
    behind_glob: list[str] = []
    for line in use_lines.splitlines():
        flat = flatten_use(line)
        if flat is None or not any(i.name in mentioned for i in flat[1]):
            behind_glob.append(line)
            continue
        explicit += [i.line() for i in flat[1] if i.name in mentioned]
        behind_glob += [i.line() for i in flat[1] if i.name not in mentioned]
    return prelude_block("\n".join(behind_glob)) + "".join(f"{line}\n" for line in explicit)


def prelude_for(problem: Problem) -> str:
    """The harness's `use` prelude of `problem`'s programs (see `_prelude`)."""
    return _prelude(problem.prelude, compiled_tests(problem))


def prompt_without_entry(problem: Problem) -> str:
    """The prompt's code without the entry point's open signature: what every program of the problem holds
    besides the answer and the tests (when the answer is a body, the signature is the answer's too)."""
    return _without_signature(problem.code_prefix, problem.entry_point)


def _public(use_item: str) -> str:
    return "pub " + re.sub(r"^\s*pub(?:\s*\([^)]*\))?\s+", "", use_item.strip())


@lru_cache(maxsize=4096)
def _open_braces(code_prefix: str) -> int:
    """Braces the prompt's code leaves open: the same for every sample of a problem, so worked out once."""
    return brace_depth(code_mask(code_prefix))[0]


def assemble(problem: Problem, raw_completion: str, *, prelude: bool = True) -> Program:
    cleaned = clean_completion(raw_completion, problem.entry_point, _open_braces(problem.code_prefix))
    tests = compiled_tests(problem)
    head = _prelude(problem.prelude, tests) if prelude else ""
    prefix = problem.code_prefix
    answer = cleaned.code
    if cleaned.full_function:
        prefix = _without_signature(prefix, problem.entry_point)
        # Answers that bring the whole function often bring the prompt's `use` lines and helpers
        # (`is_palindrome`, a `Value` enum) again: a repeat would be E0252/E0428. What the answer repeats
        # *exactly* is kept once; an item it changes still collides, so it cannot swap out what the tests use.
        prefix = without_items(prefix, _repeated_items(prefix, answer))
        answer = without_repeated_imports(answer, imports_of(head + prefix))
    before = head + prefix
    if before and not before.endswith("\n") and cleaned.full_function:
        before += "\n"
    first = before.count("\n") + 1
    code = answer if answer.endswith("\n") else answer + "\n"
    last = first + code.count("\n") - 1
    head_and_code = before + code + "\n"
    test = tests.lstrip("\n")
    source = head_and_code + test + ("" if test.endswith("\n") else "\n")
    return Program(
        source=source,
        completion_lines=(first, max(first, last)),
        full_function=cleaned.full_function,
        test_start=len(head_and_code),
        no_code=cleaned.no_code,
    )


def _repeated_items(prefix: str, answer: str) -> set[str]:
    """Names of the prompt's top-level items that the answer defines again with the same code (comments and
    layout aside)."""
    prompt_items = {item.name: _normalised(prefix[item.start : item.end]) for item in top_level_items(prefix)}
    return {
        item.name
        for item in top_level_items(answer)
        if prompt_items.get(item.name) == _normalised(answer[item.start : item.end])
    }


def _normalised(item: str) -> str:
    lines = [line for line in item.splitlines() if not line.strip().startswith("//")]
    return " ".join(" ".join(lines).split())


@lru_cache(maxsize=4096)
def _without_signature(prefix: str, entry_point: str) -> str:
    """Drop the prompt's open signature — with its qualifiers, attributes and doc comment — and everything after
    it, when the completion brings the function."""
    if not entry_point:
        return prefix
    mask = code_mask(prefix)
    heads = fn_heads(mask, entry_point)
    return prefix[: item_start(prefix, mask, heads[-1].start())] if heads else prefix

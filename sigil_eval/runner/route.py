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
from sigil_eval.records import IsolationReason, Problem
from sigil_eval.runner.batch.source import BatchModule, batch_module

# checked on the whole program (the problem's code can use them too)
_PROGRAM_CONSTRUCTS: list[tuple[IsolationReason, str]] = [
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
_COMPLETION_CONSTRUCTS: list[tuple[IsolationReason, str]] = [
    ("super path", r"\bsuper\b"),
    ("own test attribute", r"#\s*\[\s*test\b"),
    # raw pointers can read the whole process: in a batch that is every other sample's code and literals
    # (alone, only its own), so `unsafe` would make a verdict depend on the neighbours
    ("unsafe code", r"\bunsafe\b"),
]


def _compiled(
    constructs: list[tuple[IsolationReason, str]], flags: int = 0
) -> list[tuple[IsolationReason, re.Pattern[str]]]:
    return [(label, re.compile(pattern, flags)) for label, pattern in constructs]


# On ASCII text both sets match alike, except that Unicode `\s` also takes \x1c-\x1f, which rustc refuses
# outside literals anyway; ASCII `\b` is ~3× cheaper to test at every position, and most programs are ASCII.
_PATTERNS = {
    False: (_compiled(_PROGRAM_CONSTRUCTS), _compiled(_COMPLETION_CONSTRUCTS)),
    True: (_compiled(_PROGRAM_CONSTRUCTS, re.ASCII), _compiled(_COMPLETION_CONSTRUCTS, re.ASCII)),
}


_IMPL = re.compile(r"\bimpl\b")
_MACRO_RULES = re.compile(r"\bmacro_rules\s*!")
_DEFINED_TYPE = re.compile(r"\b(?:struct|enum|union)\s+([A-Za-z_]\w*)")  # not `type`: an alias names another type
_SELF_TYPE_HEAD = re.compile(r"(?:&\s*(?:'\w+\s*)?(?:mut\b\s*)?)*(?:[A-Za-z_]\w*\s*::\s*)*([A-Za-z_]\w*)\s*(?:<|$)")
FOREIGN_IMPL: IsolationReason = "impl of a trait for a type the program does not define"


_TRAIT_IMPL_OR_DERIVE = re.compile(r"\bimpl\b|#\s*\[\s*(?:derive|cfg_attr)\b")  # any impl: macros build them too


def may_reach_neighbours(program: Program) -> bool:
    """Whether the completion holds a trait impl or a derive (which makes trait impls): trait resolution is
    crate-wide, so these are the items that could still act on a batch's other members once the constructs
    above are sent alone. A batch with such a member confirms its compile errors alone."""
    completion = program.completion_in(code_mask(program.source))
    return _TRAIT_IMPL_OR_DERIVE.search(completion) is not None


def foreign_trait_impl(completion: str, program_before_tests: str) -> bool:
    """Whether the completion (masked) implements a trait for a type its program does not define — a std type
    (`impl PartialEq<Mine> for i32`), a generic parameter (`impl<T> Tr for T`), a reference, slice or tuple of
    such. Such an impl is crate-wide: in a batch it changes type inference and method resolution for every
    neighbour (their `x == vec![]` becomes ambiguous), so the sample is compiled alone. Impls inside function
    bodies count too: they are no less crate-wide."""
    local = set(_DEFINED_TYPE.findall(program_before_tests))
    for found in _IMPL.finditer(completion):
        header = _impl_header(completion, found.end())
        target = _for_target(header)
        if target is None:
            continue  # an inherent impl: only of the program's own types, which no neighbour names
        head = _SELF_TYPE_HEAD.match(target.strip())
        if (
            head is None
            or "::" in head.group()
            or head.group(1) not in local
            or head.group(1) in _generic_names(header)
        ):
            return True  # a path names some other module's type (`core::option::Option`), never just the answer's
    # a macro can assemble an impl from tokens passed to it (`m!(impl)`): one that mentions `impl` goes alone too
    return _MACRO_RULES.search(completion) is not None and _IMPL.search(completion) is not None


def _impl_header(text: str, start: int) -> str:
    """What follows `impl` up to its body's `{` (or `where`), angle brackets balanced."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "<":
            depth += 1
        elif ch == ">" and text[i - 1] != "-":
            depth -= 1
        elif depth <= 0 and (ch in "{;" or (text.startswith("where", i) and not text[i - 1].isalnum())):
            return text[start:i]
    return text[start:]


def _for_target(header: str) -> str | None:
    """The self type of a trait impl's header (what follows its top-level `for`), None for an inherent impl."""
    depth = 0
    for found in re.finditer(r"<|>|\bfor\b", header):
        token = found.group()
        if token == "<":
            depth += 1
        elif token == ">" and header[found.start() - 1] != "-":
            depth -= 1
        elif token == "for" and depth == 0 and not re.match(r"\s*<\s*'", header[found.end() :]):  # not `for<'a>`
            return header[found.end() :]
    return None


def _generic_names(header: str) -> set[str]:
    generics = re.match(r"\s*<(.*?)>\s*(?=[A-Za-z_&(\[:])", header, re.S)
    return set(re.findall(r"(?<!')\b([A-Za-z_]\w*)\b", generics.group(1))) if generics else set()


def isolation_reason(problem: Problem, program: Program, masked: str | None = None) -> IsolationReason | None:
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
    if foreign_trait_impl(completion, masked[: program.test_start]):
        return FOREIGN_IMPL
    return None


@dataclass(frozen=True, slots=True)
class Route:
    """A batch member (`module` set) or a sample judged alone (`alone`: why, None in isolated mode)."""

    module: BatchModule | None = None
    syntax_error: bool = False  # a batch member whose brackets do not close: it joins a batch of its kind
    alone: IsolationReason | None = None


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

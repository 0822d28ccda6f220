"""Source of a batch crate: one module file per sample (`sN.rs`), a generated root, the harness.

A sample's file is exactly its isolated program, except that its tests are made reachable from the root:
for `#[cfg(test)]` tests the `#[test]` attributes go (rustc drops such functions without `--test`) and the
test functions and their modules become `pub(crate)`; for `fn main` tests, that main is renamed. Lines before
the tests are untouched, so diagnostics and clippy lines map one to one onto the isolated program.
The oracle (`oracle.rs`, for problems judged out of process) is a module of the root, where no sample's
module can reach or shadow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sigil_eval.cargo_cache.warm import HARNESS_CRATE
from sigil_eval.program.assemble import TESTS_MAIN, Program
from sigil_eval.program.oracle import ORACLE_MODULE, PATH_PLACEHOLDER, place
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.program.shared_tests import SharedTests

HARNESS = Path(__file__).parents[1] / "harness.rs"  # built once per toolchain as `sigil_harness` (`cargo_cache`)
HARNESS_MODULE = "__sigil_harness"  # what the root calls it

_TOKENS = re.compile(
    r"(?P<attr>#\s*\[\s*test\s*\])|(?P<mod>\b(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(?P<modname>\w+)\s*\{)"
    r"|(?P<fn>\b(?:pub(?:\s*\([^)]*\))?\s+)?fn\s+(?P<fnname>\w+))|(?P<open>\{)|(?P<close>\})"
)


@dataclass(frozen=True, slots=True)
class BatchModule:
    text: str
    tests: tuple[str, ...]  # paths of the test functions, relative to the sample's module
    main_style: bool
    oracle: bool = False  # its tests record values for the evaluator to compare (see `oracle`)
    wrapper: str = ""  # the module its tests live in (`sigil_<nonce>`), for `#[cfg(test)]` tests
    shared: SharedTests | None = None  # set when its tests are shims calling the problem's shared tests
    shim_line: int = 0  # with `shared`: the 1-based line where the shims begin (what precedes is the sample's)


def expose_libtest_tests(tests: str, wrapper: str) -> tuple[str, tuple[str, ...]] | None:
    """Make `#[test]` functions callable from the crate root; None when a test sits where no path reaches."""
    exposed = _exposed(tests)
    if exposed is None:
        return None
    text, paths = exposed
    return text, tuple(f"{wrapper}::{path}" for path in paths)


def exposed_tests(tests: str) -> tuple[str, tuple[str, ...]] | None:
    """`tests` with its `#[test]` functions callable from its own crate root (a crate's test file), and their
    paths; None when a test sits where no path reaches."""
    return _exposed(tests)


@lru_cache(maxsize=1024)
def _exposed(tests: str) -> tuple[str, tuple[str, ...]] | None:
    """`expose_libtest_tests` without the wrapper: the same for every sample of a problem, so worked out once."""
    masked = code_mask(tests)
    edits: list[tuple[int, int, str]] = []
    stack: list[str | None] = []  # module name per open brace, None for other blocks
    pending_test = False
    found: list[str] = []
    for m in _TOKENS.finditer(masked):
        if m.group("attr"):
            pending_test = True
            edits.append((m.start(), m.end(), " " * (m.end() - m.start())))
        elif m.group("mod"):
            edits.append((m.start(), m.end(), f"pub(crate) mod {m.group('modname')} {{"))
            stack.append(m.group("modname"))
        elif m.group("fn"):
            if pending_test:
                if any(level is None for level in stack):
                    return None
                edits.append((m.start(), m.end(), f"pub(crate) fn {m.group('fnname')}"))
                found.append("::".join([*(str(s) for s in stack), m.group("fnname")]))
                pending_test = False
        elif m.group("open"):
            stack.append(None)
        elif m.group("close"):
            if not stack:
                return None
            stack.pop()
    if not found:
        return None
    for start, end, replacement in sorted(edits, reverse=True):
        tests = tests[:start] + replacement + tests[end:]
    return tests, tuple(found)


def batch_module(program: Program, style: str, wrapper: str) -> BatchModule | None:
    """The sample's module file, or None when its tests cannot be driven by the batch harness."""
    if style == "main":
        renamed = program.rename_tests_main("pub(crate) ")
        return None if renamed is None else BatchModule(renamed.source, (TESTS_MAIN,), True)
    exposed = expose_libtest_tests(place(program.tests, f"crate::{ORACLE_MODULE}"), wrapper)
    if exposed is None:
        return None
    tests, paths = exposed
    wrapped = f"pub(crate) mod {wrapper} {{\n{_GLOB}{tests}\n}}\n"
    source = program.with_tests(wrapped).source
    return BatchModule(source, paths, False, oracle=PATH_PLACEHOLDER in program.tests, wrapper=wrapper)


_GLOB = "#[allow(unused_imports)]\nuse super::*;\n"
# lines the tests' wrapper module adds before them: `mod <wrapper> {` and `_GLOB` (the isolated path wraps its
# tests in its nonce module the same way, so a test's line is the same in both)
WRAPPER_HEAD_LINES = 3


def shared_batch_module(program: Program, own: BatchModule, shared: SharedTests) -> BatchModule:
    """The sample's module when it runs its problem's shared tests: its program up to the tests as is, then, in
    place of the tests, the same module paths holding one shim per test, which passes the sample's entry point
    (named as its own tests would name it, through `use super::*`) to the shared test; for `fn main` tests, one
    shim in place of the renamed main."""
    shim_line = program.source[: program.test_start].count("\n") + 1
    passed = ", ".join(parameter for parameter, _ in shared.parameters)
    if own.main_style:
        shim = f"pub(crate) fn {TESTS_MAIN}() {{ crate::{shared.module_name}::{TESTS_MAIN}({passed}) }}\n"
        return BatchModule(program.with_tests(shim).source, (TESTS_MAIN,), True, own.oracle, "", shared, shim_line)
    lines = [f"pub(crate) mod {own.wrapper} {{", _GLOB.rstrip("\n")]
    opened: list[str] = []
    for path in sorted(shared.tests):
        *modules, name = path.split("::")
        while opened and opened != modules[: len(opened)]:
            lines.append("}")
            opened.pop()
        for module in modules[len(opened) :]:
            lines += [f"pub(crate) mod {module} {{", _GLOB.rstrip("\n")]
            opened.append(module)
        lines.append(f"pub(crate) fn {name}() {{ crate::{shared.module_name}::{path}({passed}) }}")
    lines += ["}"] * (len(opened) + 1)
    source = program.with_tests("\n".join(lines) + "\n").source
    paths = tuple(f"{own.wrapper}::{path}" for path in shared.tests)
    return BatchModule(source, paths, False, own.oracle, own.wrapper, shared, shim_line)


def module_name(position: int) -> str:
    return f"s{position}"


def root_source(members: list[tuple[str, int, BatchModule]]) -> str:
    """members: (module name, sample index, module). The shared tests' modules are declared last, so that a line
    of the root before them says which member it belongs to (`member_at_root_line`)."""
    lines = [f"mod {name};" for name, _, _ in members]
    lines.append(f"use {HARNESS_CRATE} as {HARNESS_MODULE};")
    lines.append(f"mod {ORACLE_MODULE};")
    lines.append("fn main() {")
    lines.append(f"    {HARNESS_MODULE}::run(&[")
    for name, index, module in members:
        tests = ", ".join(f'("{path}", {name}::{path})' for path in module.tests)
        style = "true" if module.main_style else "false"
        oracle = "true" if module.oracle else "false"
        fields = f"index: {index}, main_style: {style}, oracle: {oracle}, tests: &[{tests}]"
        lines.append(f"        {HARNESS_MODULE}::Entry {{ {fields} }},")
    lines.append("    ]);")
    lines.append("}")
    shared = sorted({module.shared.module_name for _, _, module in members if module.shared is not None})
    lines += [f"mod {name};" for name in shared]
    return "\n".join(lines) + "\n"


def member_at_root_line(line: int, members: list[tuple[str, int, BatchModule]]) -> int | None:
    """Which member (its index in `members`) a 1-based line of `root_source` belongs to, if any."""
    count = len(members)
    if 1 <= line <= count:
        return line - 1  # its `mod sN;`
    first_entry = count + 5
    if first_entry <= line < first_entry + count:
        return line - first_entry
    return None

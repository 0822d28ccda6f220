"""A problem's tests compiled once for all its samples in a batch: the tests become functions over the entry point.

In a HumanEval-style problem the tests (literal-heavy `assert_eq!`s) are most of what rustc compiles for a
sample. A batch holding several samples of one problem can compile them once, in a module of the crate root,
with each `#[test] fn t()` turned into `pub(crate) fn t(entry: fn(A, B) -> R)`: the parameter bears the entry
point's name, so the tests' calls reach it unchanged. Each sample's module keeps everything before its tests as
is and gets, in place of its tests, a shim per test that passes its own entry point (resolved through
`use super::*`, as its own tests would resolve it).

`fn main` tests (MultiPL-E's) are shared the same way when they are nothing but that main: it becomes
`pub(crate) fn __sigil_tests(entry: …)`, and the sample's module gets one shim of that name.

Only what is provably the same is shared (`SharedTests`, `shares`):
- the problem: `#[cfg(test)]` tests, or `fn main` tests that are only the main; an entry point whose prompt
  signature is a plain function type (no generics but lifetimes, no `impl`, `where`, `self`, `async`, `unsafe`,
  `extern`, no type the prompt defines — its copy in the shared module would be another type); the entry point
  named only inside the test functions;
- the sample: its completion defines or imports at top level no name the tests mention (but a full function's
  entry point, with the prompt's signature token for token), no trait, module or macro, and imports nothing but
  std types, std modules and std functions: nothing that could put a trait method in the tests' scope, shadow a
  name or a macro they use, or change what the entry point is.
Anything else compiles with its own copy of the tests, as before; and a shared module or a shim that does not
compile sends its samples back to their own copy (see `runner.batched`), never to a verdict.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sigil_eval.program.assemble import TESTS_MAIN, Program, prelude_for, prompt_without_entry
from sigil_eval.program.oracle import ORACLE_MODULE, compiled_tests, place
from sigil_eval.program.rust_items import top_level_items
from sigil_eval.program.rust_lexer import brace_depth, code_mask, matching_brace
from sigil_eval.program.rust_uses import imports_of
from sigil_eval.program.signatures import entry_head, entry_pointer_type
from sigil_eval.records import Problem

SHARED_MODULE_PREFIX = "__sigil_shared_"  # a shared tests module's name: this and a digest of the problem

_IDENTIFIER = re.compile(r"(?<!:)\b[A-Za-z_]\w*\b")  # a name, not a path's later segment
_ANY_IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*\b")
_MAIN_DEF = re.compile(r"\bfn\s+main\s*\(\s*\)")
_TEST_FN = re.compile(r"#\s*\[\s*test\s*\]\s*(?:pub(?:\s*\([^)]*\))?\s+)?fn\s+(\w+)\s*\(\s*\)")
_MACRO_RULES = re.compile(r"\bmacro_rules\s*!")
_MODULE = re.compile(r"\bmod\s+\w+")
_TRAIT = re.compile(r"\btrait\s+\w+")
_STD_ROOTS = ("std::", "core::", "alloc::")
# rustc's warnings about the prompt's unused items, once per problem, are noise in the batch's output
_ALLOW = "#![allow(unused, dead_code)]\n"
# std items a completion may import without changing anything the tests resolve: types (no methods come into
# scope with a type) — traits are UpperCamel too, so only these are allowed by name, modules and functions
# (lower case) by their case
_STD_TYPES = frozenset(
    [
        "HashMap",
        "HashSet",
        "BTreeMap",
        "BTreeSet",
        "VecDeque",
        "BinaryHeap",
        "LinkedList",
        "Ordering",
        "Reverse",
        "Rc",
        "Weak",
        "RefCell",
        "Cell",
        "Arc",
        "Mutex",
        "RwLock",
        "String",
        "Vec",
        "Box",
        "Option",
        "Result",
        "Duration",
        "Instant",
        "Wrapping",
        "Entry",
        "Chars",
        "Peekable",
        "Range",
        "RangeInclusive",
        "Cow",
        "Infallible",
    ]
)


@dataclass(frozen=True, slots=True)
class SharedTests:
    """A problem's tests as a module of the batch crate's root."""

    module_name: str  # `__sigil_shared_<digest>`: one per distinct problem, the same in every batch
    text: str  # the module file
    tests: tuple[str, ...]  # paths of the test functions inside the module, e.g. `tests::test_add`
    first_test_line: int  # 1-based line of `text` where the tests begin (they begin at `Program.test_start` too)
    entry_point: str
    # what each test takes, in order: the entry point, then every function of the prompt the tests call (passed
    # too, so the tests call the sample's program's copies, as its own tests would: the same code runs, and the
    # same functions are compiled into the sample's code size)
    parameters: tuple[tuple[str, str], ...]  # (name, fn-pointer type)
    signature: str  # the prompt's entry-point head, whitespace-normalised: what a full function must repeat
    mentioned: frozenset[str]  # every identifier the tests mention
    open_braces: int  # of the prompt's code: a body answer begins inside the entry point


def _normalised(head: str) -> str:
    return " ".join(re.sub(r"\s*([(),:<>&\[\];{}=-])\s*", r" \1 ", head).split())


def _parameterised_tests(tests: str, parameters: tuple[tuple[str, str], ...]) -> tuple[str, tuple[str, ...]] | None:
    """The tests with every `#[test] fn t()` made `pub(crate) fn t(name: pointer, …)` (on the same line) and
    every module `pub(crate)`; None when a parameter is named outside a test function, or a test sits where no
    path reaches it."""
    mask = code_mask(tests)
    edits: list[tuple[int, int, str]] = []
    paths: list[str] = []
    covered: list[tuple[int, int]] = []
    for match in _TEST_FN.finditer(mask):
        body = mask.find("{", match.end())
        close = matching_brace(mask, body) if body != -1 else None
        if close is None:
            return None
        covered.append((body, close))
        replacement = f"pub(crate) fn {match.group(1)}({_taken(parameters)})"
        attribute_end = mask.index("]", match.start()) + 1
        edits.append((match.start(), attribute_end, " " * (attribute_end - match.start())))
        fn_start = mask.index("fn", attribute_end)
        edits.append((fn_start, match.end(), replacement))
        modules = _modules_around(mask, match.start())
        if modules is None:
            return None
        paths.append("::".join([*modules, match.group(1)]))
    if not paths or not _named_only_inside(mask, parameters, covered):
        return None
    for module in re.finditer(r"\bmod\s+(\w+)\s*\{", mask):
        edits.append((module.start(), module.end(), f"pub(crate) mod {module.group(1)} {{"))
    for start, end, replacement in sorted(edits, reverse=True):
        tests = tests[:start] + replacement + tests[end:]
    return tests, tuple(paths)


def _parameterised_main(tests: str, parameters: tuple[tuple[str, str], ...]) -> tuple[str, tuple[str, ...]] | None:
    """`fn main` tests that are nothing but their `fn main() { … }`, with it made
    `pub(crate) fn __sigil_tests(name: pointer, …)` (on the same line); None for anything else. Anything beside
    the main would be a top-level item of the sample's own program, which its code could name."""
    mask = code_mask(tests)
    mains = list(_MAIN_DEF.finditer(mask))
    if len(mains) != 1 or mask[: mains[0].start()].strip():
        return None
    found = mains[0]
    body = mask.find("{", found.end())
    close = matching_brace(mask, body) if body != -1 and not mask[found.end() : body].strip() else None
    if close is None or mask[close + 1 :].strip() or not _named_only_inside(mask, parameters, [(body, close)]):
        return None
    renamed = f"pub(crate) fn {TESTS_MAIN}({_taken(parameters)})"
    return f"{tests[: found.start()]}{renamed}{tests[found.end() :]}", (TESTS_MAIN,)


def _taken(parameters: tuple[tuple[str, str], ...]) -> str:
    """The parameter list a shared test function takes: `entry: fn(i64) -> i64, helper: fn(i64) -> i64`."""
    return ", ".join(f"{name}: {pointer}" for name, pointer in parameters)


def _named_only_inside(mask: str, parameters: tuple[tuple[str, str], ...], bodies: list[tuple[int, int]]) -> bool:
    """Whether the tests name each parameter only bare and only inside the test functions' `bodies` (brace
    offsets): there, and only there, the name means the parameter."""
    for name, _ in parameters:
        for mention in re.finditer(rf"(::\s*)?\b{re.escape(name)}\b", mask):
            if mention.group(1) or not any(start < mention.start() < end for start, end in bodies):
                return False
    return True


def _modules_around(mask: str, offset: int) -> list[str] | None:
    """The names of the modules enclosing `offset`, outermost first; None when a non-module block encloses it."""
    stack: list[str | None] = []
    for match in re.finditer(r"\bmod\s+(\w+)\s*\{|[{}]", mask[:offset]):
        text = match.group(0)
        if text == "}":
            if not stack:
                return None
            stack.pop()
        elif text == "{":
            stack.append(None)
        else:
            stack.append(match.group(1))
    if any(level is None for level in stack):
        return None
    return [str(level) for level in stack]


def shared_tests(problem: Problem, prelude: bool = True) -> SharedTests | None:
    """The problem's tests as a shared module, or None when they cannot be shared exactly (a run works each
    problem's out once: `runner.batch.sharing`)."""
    if not problem.entry_point:
        return None
    head = entry_head(problem.code_prefix, problem.entry_point)
    if head is None:
        return None
    prompt = prompt_without_entry(problem)
    items = top_level_items(prompt)
    prompt_types = {item.name for item in items if item.kind != "fn"}
    tests = place(compiled_tests(problem, pin_signature=False), f"crate::{ORACLE_MODULE}").lstrip("\n")
    mentioned = frozenset(_IDENTIFIER.findall(code_mask(tests)))
    named = set(_ANY_IDENTIFIER.findall(code_mask(tests)))  # path segments too (`super::helper`)
    if prompt_types & named:
        return None  # the tests use a type or constant of the prompt: theirs would not be the sample's
    parameters = []
    called = [item for item in items if item.kind == "fn" and item.name in named]  # prompt functions the tests call
    for name, fn_head in [
        (problem.entry_point, head),
        *((item.name, entry_head(prompt[item.start : item.end], item.name)) for item in called),
    ]:
        pointer = None if fn_head is None else entry_pointer_type(fn_head[0], name, prompt_types)
        if pointer is None:
            return None
        parameters.append((name, pointer))
    if problem.test_style == "main":
        parameterised = _parameterised_main(tests, tuple(parameters))
    else:
        parameterised = _parameterised_tests(tests, tuple(parameters))
    if parameterised is None:
        return None
    body, paths = parameterised
    head_text = _ALLOW + (prelude_for(problem) if prelude else "") + prompt
    if not head_text.endswith("\n"):
        head_text += "\n"
    text = head_text + "\n" + body + ("" if body.endswith("\n") else "\n")
    first_test_line = (head_text + "\n").count("\n") + 1
    digest = hashlib.sha256(f"{problem.edition}\0{text}".encode()).hexdigest()[:16]
    return SharedTests(
        module_name=f"{SHARED_MODULE_PREFIX}{digest}",
        text=text,
        tests=paths,
        first_test_line=first_test_line,
        entry_point=problem.entry_point,
        parameters=tuple(parameters),
        signature=_normalised(head[0]),
        mentioned=mentioned,
        open_braces=brace_depth(code_mask(problem.code_prefix))[0],
    )


def shares(shared: SharedTests, program: Program) -> bool:
    """Whether `program` (a sample of the problem `shared` was made from) may run the shared tests: its
    completion brings nothing the tests could resolve differently."""
    completion = program.completion_in(program.source)
    if not program.full_function:  # a body: what follows its closing brace is at the top level
        completion = "{" * shared.open_braces + "\n" + completion
    mask = code_mask(completion)
    if _MACRO_RULES.search(mask) or _MODULE.search(mask) or _TRAIT.search(mask):
        return False
    entry_defined = False
    for item in top_level_items(completion):
        if item.name == shared.entry_point and item.kind == "fn" and program.full_function:
            entry_defined = True
        elif item.name in shared.mentioned:
            return False
    if program.full_function:
        head = entry_head(completion, shared.entry_point)
        if not entry_defined or head is None or _normalised(head[0]) != shared.signature:
            return False
    for imported in imports_of(completion):
        if imported.name in shared.mentioned or not _harmless_import(imported.path, imported.name):
            return False
    return True


def _harmless_import(path: str, name: str) -> bool:
    """A std type, module or function: nothing that puts a trait's methods in scope."""
    if not path.startswith(_STD_ROOTS) or name in ("*", "_") or path.endswith("::*"):
        return False
    last = path.rsplit("::", 1)[-1]
    return last in _STD_TYPES or last[:1].islower() or last.isupper()  # modules, functions, CONSTANTS

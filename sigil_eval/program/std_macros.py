"""The tests' std macros, named by path: a sample cannot swap them out.

`macro_rules!` names are scoped textually, ahead of std's: a completion that defines `macro_rules! assert_eq
{ ($($t:tt)*) => {} }` before the tests would turn every `assert_eq!` of its tests into nothing, and pass. A
macro named by path (`::std::assert_eq!`) is resolved by path, so the tests get std's whatever the sample
defines. Only the invocations in the problem's tests are pinned; they mean the same, in every edition.
"""

from __future__ import annotations

import re

from sigil_eval.program.rust_lexer import code_mask

STD_MACROS = (
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "unreachable",
    "unimplemented",
    "todo",
    "vec",
    "format",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "matches",
    "dbg",
    "concat",
    "stringify",
)
# an invocation by bare name: not a path's last segment, not a macro's own definition
_INVOCATION = re.compile(rf"(?<![\w:$])(?:{'|'.join(STD_MACROS)})(?=\s*!)")
_DEFINITION = re.compile(r"macro_rules\s*!\s*$")


def pin_std_macros(tests: str) -> str:
    """`tests` with every bare invocation of a std macro (`assert_eq!(…)`) named by path (`::std::assert_eq!(…)`)."""
    mask = code_mask(tests)
    starts = [m.start() for m in _INVOCATION.finditer(mask) if not _DEFINITION.search(mask[: m.start()])]
    for start in reversed(starts):
        tests = tests[:start] + "::std::" + tests[start:]
    return tests

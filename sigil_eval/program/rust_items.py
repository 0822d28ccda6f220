"""Top-level items of Rust code: where a named item starts (its attributes and doc comments included) and ends.

Enough for cleaning and assembly, on the comment/string-aware mask of `rust_lexer`: which functions, types and
constants an answer defines, and cutting a prompt's item that the answer brings again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.program.rust_lexer import code_mask, net_depth

# What may stand before an item's keyword (on masked code, so `extern "C"` reads `extern    `).
_ITEM_PREFIX = (
    r"(?:#\s*\[[^\]]*\]\s*)*"  # attributes on the same line
    r"(?:pub(?:\s*\([^)]*\))?\s+)?"  # pub, pub(crate), pub(in path)
    r"(?:(?:default|const|async|unsafe|safe)\s+|extern\s+)*"  # qualifiers, in any order rustc would parse
)
_ITEM_PREFIX_ONLY = re.compile(rf"[ \t]*{_ITEM_PREFIX}\Z")
_ATTRIBUTE_OR_DOC_LINE = re.compile(r"[ \t]*(?:#\s*\[.*\]|///.*|//!.*|/\*\*.*\*/)[ \t]*\r?")
_NAMED_ITEM = re.compile(r"\b(fn|struct|enum|union|trait|type|const|static)\s+(?:mut\s+)?(?!fn\b)([A-Za-z_]\w*)")
_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # fn, struct, enum, union, trait, type, const, static
    name: str
    start: int  # where its attributes and doc comments begin
    end: int  # just past its closing `}` or `;`


def only_qualifiers_before(mask: str, offset: int) -> bool:
    """Whether the line holding `offset` has nothing before it but whitespace, attributes and qualifiers."""
    line_start = mask.rfind("\n", 0, offset) + 1
    return _ITEM_PREFIX_ONLY.match(mask[line_start:offset]) is not None


def fn_heads(mask: str, name: str) -> list[re.Match[str]]:
    """Every top-level definition of `fn name` in masked code (any visibility, qualifiers, attributes,
    generics): a `fn name(` or `fn name<` at brace depth 0 with nothing but qualifiers before it on its line."""
    return [
        match
        for match in re.finditer(rf"\bfn\s+{re.escape(name)}\s*[<(]", mask)
        if only_qualifiers_before(mask, match.start()) and net_depth(mask, 0, match.start()) == 0
    ]


def item_start(code: str, mask: str, offset: int) -> int:
    """Where the item whose keyword is at `offset` begins: its line (when only qualifiers precede the keyword),
    extended upwards over attribute and doc-comment lines."""
    if not only_qualifiers_before(mask, offset):
        return offset
    line_start = mask.rfind("\n", 0, offset) + 1
    while line_start > 0:
        previous = code.rfind("\n", 0, line_start - 1) + 1
        if not _ATTRIBUTE_OR_DOC_LINE.fullmatch(code[previous : line_start - 1]):
            break
        line_start = previous
    return line_start


def top_level_items(code: str) -> list[Item]:
    """The named items at brace depth 0, in order (`impl` blocks, `use`, macros and modules are not listed)."""
    mask = code_mask(code)
    items: list[Item] = []
    depth, position = 0, 0
    for match in _NAMED_ITEM.finditer(mask):
        if match.start() < position:
            continue  # inside an item already listed
        depth += net_depth(mask, position, match.start())
        position = match.start()
        if depth != 0 or not only_qualifiers_before(mask, match.start()):
            continue
        end = item_end(mask, match.end(), at_semicolon=match.group(1) in ("const", "static", "type"))
        if end is None:
            break
        items.append(Item(match.group(1), match.group(2), item_start(code, mask, match.start()), end))
        position = end
    return items


def item_end(mask: str, start: int, *, at_semicolon: bool) -> int | None:
    """Just past the end of the item whose head is before `start`: the `;` at bracket depth 0, or, unless
    `at_semicolon` (`const`, `static`, `type`, `use`: a `{…}` inside them is not their end), the `}` that closes
    its body. None when it never ends."""
    depth = 0
    for i in range(start, len(mask)):
        c = mask[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0 and c == "}" and not at_semicolon:
                return i + 1
            if depth < 0:
                return None
        elif c == ";" and depth == 0:
            return i + 1
    return None


def without_items(code: str, names: set[str]) -> str:
    """`code` without its top-level items of those names (a line left empty by a cut goes with it)."""
    for item in reversed(top_level_items(code)):
        if item.name in names:
            end = item.end + 1 if code.startswith("\n", item.end) else item.end
            code = code[: item.start] + code[end:]
    return code

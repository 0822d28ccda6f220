"""Top-level items of Rust code: where a named item starts (its attributes and doc comments included) and ends.

Enough for cleaning and assembly, on the comment/string-aware mask of `rust_lexer`: which functions, types and
constants an answer defines, and cutting a prompt's item that the answer brings again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.rust_lexer import code_mask

# What may stand before an item's keyword (on masked code, so `extern "C"` reads `extern    `).
ITEM_PREFIX = (
    r"(?:#\s*\[[^\]]*\]\s*)*"  # attributes on the same line
    r"(?:pub(?:\s*\([^)]*\))?\s+)?"  # pub, pub(crate), pub(in path)
    r"(?:(?:default|const|async|unsafe|safe)\s+|extern\s+)*"  # qualifiers, in any order rustc would parse
)
_ITEM_PREFIX_ONLY = re.compile(rf"[ \t]*{ITEM_PREFIX}\Z")
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


def item_start(code: str, mask: str, offset: int) -> int:
    """Where the item whose keyword is at `offset` begins: its line (when only qualifiers precede the keyword),
    extended upwards over attribute and doc-comment lines."""
    line_start = mask.rfind("\n", 0, offset) + 1
    if not _ITEM_PREFIX_ONLY.match(mask[line_start:offset]):
        return offset
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
        depth += _depth_change(mask, position, match.start())
        position = match.start()
        if depth != 0 or not only_qualifiers_before(mask, match.start()):
            continue
        end = _item_end(mask, match.end(), match.group(1))
        if end is None:
            break
        items.append(Item(match.group(1), match.group(2), item_start(code, mask, match.start()), end))
        position = end
    return items


def _depth_change(mask: str, start: int, end: int) -> int:
    return mask.count("{", start, end) - mask.count("}", start, end)


def _item_end(mask: str, start: int, kind: str) -> int | None:
    """Just past the item's end: the `;` at bracket depth 0, or (for items with a body) the `}` closing it."""
    depth = 0
    for i in range(start, len(mask)):
        c = mask[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0 and c == "}" and kind not in ("const", "static", "type"):
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

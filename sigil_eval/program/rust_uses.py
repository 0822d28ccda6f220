"""`use` items of Rust code: find the top-level ones, flatten a use tree into single imports, and drop from an
answer the imports the prompt's code already makes.

Why not put the prompt's `use` lines behind a shadowable glob instead: then an answer could define its own
`struct HashMap` whose `PartialEq` always says yes, and the tests (which reach `HashMap` through `use super::*`)
would compare with it. With the prompt's imports explicit, such an item collides with them (E0255) as it would
in the prompt's own program, and only an import the answer *repeats* — same path, same name — is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.program.rust_items import item_end
from sigil_eval.program.rust_lexer import brace_depth, code_mask

_USE_ITEM = re.compile(r"(?m)^[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?use\s+")
_TOKEN = re.compile(r"\s*(::|[{},;*]|[A-Za-z_]\w*|\S)")
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True, slots=True)
class Import:
    path: str  # `std::collections::HashMap`; a glob ends in `::*`
    name: str  # the name it binds: the last segment, the alias, `_`, or `*` for a glob

    def line(self, visibility: str = "") -> str:
        alias = "" if self.name in ("*", self.path.rsplit("::", 1)[-1]) else f" as {self.name}"
        return f"{visibility}use {self.path}{alias};"


@dataclass(frozen=True, slots=True)
class UseItem:
    start: int
    end: int  # just past its `;`
    text: str


def use_items(code: str) -> list[UseItem]:
    """The `use` items at brace depth 0."""
    mask = code_mask(code)
    items: list[UseItem] = []
    position = 0
    for match in _USE_ITEM.finditer(mask):
        if match.start() < position or brace_depth(mask[: match.start()])[0] != 0:
            continue
        end = item_end(mask, match.end(), at_semicolon=True)
        if end is None:
            break
        items.append(UseItem(match.start(), end, code[match.start() : end]))
        position = end
    return items


def split_uses(code: str) -> tuple[str, str]:
    """(the top-level `use` items, one per line, whitespace collapsed; the rest of the code). Items with a
    `self::` or `super::` path stay in the code: they would mean something else anywhere else."""
    uses: list[str] = []
    kept: list[str] = []
    position = 0
    for item in use_items(code):
        if re.match(r"\s*(?:pub(?:\s*\([^)]*\))?\s+)?use\s+(?:self|super)\b", item.text):
            continue
        uses.append(" ".join(item.text.split()))
        kept.append(code[position : item.start])
        position = item.end + (1 if code.startswith("\n", item.end) else 0)
    kept.append(code[position:])
    return "\n".join(uses), "".join(kept)


def imports_of(code: str) -> set[Import]:
    """Every single import the top-level `use` items of `code` make."""
    found: set[Import] = set()
    for item in use_items(code):
        if (flat := flatten_use(item.text)) is not None:
            found.update(flat[1])
    return found


def without_repeated_imports(code: str, already: set[Import]) -> str:
    """`code` with the imports it repeats from `already` removed from its top-level `use` items (an item left
    with nothing is removed; one left with some is rewritten as single `use` lines)."""
    if not already:
        return code
    for item in reversed(use_items(code)):
        flat = flatten_use(item.text)
        if flat is None:
            continue  # not a use tree this parser reads: left to the compiler
        visibility, imports = flat
        kept = [i for i in imports if i not in already]
        if len(kept) == len(imports):
            continue
        replacement = "\n".join(i.line(visibility) for i in kept)
        end = item.end + (1 if not replacement and code.startswith("\n", item.end) else 0)
        code = code[: item.start] + replacement + code[end:]
    return code


def flatten_use(item: str) -> tuple[str, list[Import]] | None:
    """(visibility, imports) of one `[pub] use …;` item, or None when it is not one this parser reads."""
    match = re.match(r"\s*(pub(?:\s*\([^)]*\))?\s+)?use\s+(.*?);?\s*\Z", item, re.DOTALL)
    if match is None:
        return None
    tokens = _TOKEN.findall(match.group(2))
    imports: list[Import] = []
    if _tree(tokens, 0, [], imports) != len(tokens):
        return None
    return (match.group(1) or ""), imports


def _tree(tokens: list[str], i: int, prefix: list[str], out: list[Import]) -> int:
    """Parse one use tree at `i`, appending its imports; the index after it, or -1 on a parse error."""
    path = list(prefix)
    if i < len(tokens) and tokens[i] == "::":
        i += 1
    while i < len(tokens):
        token = tokens[i]
        if token == "*":
            out.append(Import("::".join([*path, "*"]), "*"))
            return i + 1
        if token == "{":
            i += 1
            while 0 <= i < len(tokens) and tokens[i] != "}":
                i = _tree(tokens, i, path, out)
                if 0 <= i < len(tokens) and tokens[i] == ",":
                    i += 1
            return i + 1 if 0 <= i < len(tokens) else -1
        if not _IDENT.fullmatch(token):
            return -1
        i += 1
        if token == "self" and path:
            name = path[-1]
        else:
            path.append(token)
            name = token
        if i < len(tokens) and tokens[i] == "::":
            i += 1
            continue
        if i + 1 < len(tokens) and tokens[i] == "as":
            name = tokens[i + 1]
            i += 2
        out.append(Import("::".join(path), name))
        return i
    return -1

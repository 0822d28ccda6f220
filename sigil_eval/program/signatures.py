"""The entry point's declared type: its head in the prompt, the fn-pointer type that stands for it, and the pin
that binds a sample's entry point to that type with every name spelled as an absolute path.

The pin (`const _: fn(::core::primitive::i32) -> ::core::primitive::bool = entry;`) goes beside a problem's
in-process tests: an answer whose entry point returns a type of its own (with an always-true `==`), or that
defines `struct bool` so that the prompt's `-> bool` names its type, does not compile, in either path.
"""

from __future__ import annotations

import re

from sigil_eval.program.rust_items import fn_heads, top_level_items
from sigil_eval.program.rust_lexer import code_mask, matching_brace, split_top_level
from sigil_eval.program.rust_uses import imports_of

_IDENTIFIER = re.compile(r"(?<!:)\b[A-Za-z_]\w*\b")  # a name, not a path's later segment
_QUALIFIER = re.compile(r"\b(?:async|unsafe|extern|const|impl|dyn|where|self|Self)\b")
_LIFETIME = re.compile(r"'[A-Za-z_]\w*")
_PRIMITIVES = frozenset(
    [
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "f32",
        "f64",
        "bool",
        "char",
        "str",
    ]
)
_STD_PATHS = {
    "String": "::std::string::String",
    "Vec": "::std::vec::Vec",
    "Option": "::core::option::Option",
    "Result": "::core::result::Result",
    "Box": "::std::boxed::Box",
    "HashMap": "::std::collections::HashMap",
    "HashSet": "::std::collections::HashSet",
    "BTreeMap": "::std::collections::BTreeMap",
    "BTreeSet": "::std::collections::BTreeSet",
    "VecDeque": "::std::collections::VecDeque",
}
_PIN_TOKEN = re.compile(r"'[A-Za-z_]\w*|[A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*|\S")


def entry_head(code: str, entry_point: str) -> tuple[str, int, int] | None:
    """The last top-level `fn entry_point` head in `code`: (its text from `fn` to the `{` of its body, where it
    starts, where its body's `{` is), or None."""
    mask = code_mask(code)
    heads = fn_heads(mask, entry_point)
    if not heads:
        return None
    start = heads[-1].start()
    body = mask.find("{", start)
    return (code[start:body], start, body) if body != -1 else None


def entry_pointer_type(head: str, entry_point: str, prompt_types: set[str]) -> str | None:
    """The fn-pointer type of a plain function head (`fn add(a: i64, b: i64) -> i64` → `fn(i64, i64) -> i64`),
    or None when a pointer cannot stand for it exactly."""
    mask = code_mask(head)
    if _QUALIFIER.search(mask):
        return None
    match = re.match(rf"\s*fn\s+{re.escape(entry_point)}\s*(?:<([^<>]*)>)?\s*\(", mask)
    if match is None:
        return None
    close = matching_brace(mask, match.end() - 1)
    rest = re.fullmatch(r"\s*(?:->(.*))?", mask[close + 1 :], re.S) if close is not None else None
    if close is None or rest is None:
        return None
    generics, params, returned = match.group(1), mask[match.end() : close], rest.group(1)
    lifetimes = split_top_level(generics or "")
    if any(not _LIFETIME.fullmatch(g) for g in lifetimes):
        return None  # a type or const parameter: no single pointer type stands for it
    if prompt_types & set(_IDENTIFIER.findall(mask)):
        return None  # a type the prompt defines: the shared module's copy would be another type
    types = []
    for param in split_top_level(params):
        if ":" not in param:
            return None
        types.append(" ".join(param.split(":", 1)[1].split()))
    binder = f"for<{', '.join(lifetimes)}> " if lifetimes else ""
    result = f" -> {' '.join(returned.split())}" if returned and returned.strip() else ""
    return f"{binder}fn({', '.join(types)}){result}"


def names_meaning_else(code: str) -> set[str]:
    """The std type names (`Result`, `HashMap`, `i32`, …) that `code` (a problem's prompt and prelude) makes mean
    something else: imported from elsewhere (`use std::io::Result;`, `use …::BTreeMap as HashMap;`) or defined.
    A pin spelling such a name as std's would name another type than the prompt's signature does."""
    std_names = set(_STD_PATHS) | _PRIMITIVES
    meaning_else = {
        found.name
        for found in imports_of(code)
        if found.name in std_names and _rooted(found.path) != _rooted(_STD_PATHS.get(found.name, ""))
    }
    defined = {item.name for item in top_level_items(code) if item.kind != "fn"}
    return meaning_else | (defined & std_names)


def _rooted(path: str) -> str:
    """A std path without its root crate (`std`, `core` and `alloc` re-export the same items)."""
    return re.sub(r"^:*(?:std|core|alloc)::", "", path)


def absolute(pointer: str, meaning_else: set[str] | frozenset[str] = frozenset()) -> str | None:
    """A fn-pointer type (`fn(&str, Vec<i32>) -> bool`) with every type named by an absolute path, or None when
    it names something else (a type of the prompt, a generic parameter, a std name the prompt rebinds)."""
    out = []
    for token in _PIN_TOKEN.findall(pointer):
        if token in meaning_else:
            return None
        if token.startswith("'"):
            out.append(token + " ")
        elif not (token[0].isalpha() or token[0] == "_"):
            out.append(token)
        elif token in ("fn", "for", "mut"):
            out.append(token + " ")
        elif token in _PRIMITIVES:
            out.append(f"::core::primitive::{token}")
        elif token in _STD_PATHS:
            out.append(_STD_PATHS[token])
        elif re.match(r"(?:std|core|alloc)\s*::", token):
            out.append("::" + re.sub(r"\s+", "", token))
        else:
            return None
    return re.sub(r"\s+(?=[,)>\]])", "", "".join(out))


def signature_pin(code_prefix: str, entry_point: str, prelude: str = "") -> str | None:
    """The item binding the entry point to the prompt's declared type, or None when no absolute fn-pointer type
    stands for it (generics, `impl`, `dyn`, a type the prompt defines)."""
    head = entry_head(code_prefix, entry_point)
    if head is None:
        return None
    pointer = entry_pointer_type(head[0], entry_point, set())
    pinned = None if pointer is None else absolute(pointer, names_meaning_else(prelude + "\n" + code_prefix))
    if pinned is None:
        return None
    return f"#[allow(dead_code)]\nconst _: {pinned} = {entry_point};\n"

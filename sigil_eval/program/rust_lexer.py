"""A small Rust scanner: enough to tell code from comments and literals.

Completion cleaning counts braces and the policy matches tokens; both must ignore what sits inside comments,
strings and char literals, or a `"}"` in a string would close a function.
"""

from __future__ import annotations

import re

_RAW_STRING = re.compile(r'[bc]?r(#*)"')  # raw, raw byte and raw C strings (`cr#"…"#`, Rust 1.77)
# where a comment or literal may begin: `//`, `/*`, a quote, or a raw or byte literal's prefix not ending a name
_MAY_OPEN = re.compile(r"""/[/*]|["']|(?<!\w)(?:[bc]?r[#"]|b["'])""")
_COMMENT_MARK = re.compile(r"/\*|\*/")
_CHAR_LITERAL = re.compile(r"b?'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]{1,6}\}|.)|[^\\'\n])'", re.DOTALL)
# whitespace to rustc (Pattern_White_Space) that Python's `\s` does not match: left in a mask, `crate\u200e::`
# would be a path to rustc and no path to a pattern
_RUST_ONLY_WHITESPACE = str.maketrans({"\u200e": " ", "\u200f": " "})


def code_mask(source: str, *, comments_only: bool = False) -> str:
    """Return `source` with every comment and literal replaced by spaces (newlines kept).

    The result has the same length and line structure as the input, so offsets and line numbers carry over.
    An unterminated comment or literal blanks out the rest of the text, as rustc would refuse it anyway.
    Plain code is skipped a stretch at a time, up to the next character that may open a comment or literal.
    Whitespace that only rustc takes for whitespace (the left-to-right and right-to-left marks) becomes a space,
    so `\\s` in a pattern over the mask means what rustc means.
    """
    out: list[str] = []
    i = kept = 0
    n = len(source)

    def blank(start: int, end: int) -> None:
        nonlocal kept
        end = min(end, n)
        out.append(source[kept:start])
        out.append("\n".join(" " * len(line) for line in source[start:end].split("\n")))
        kept = end

    def literal(start: int, end: int) -> None:
        if not comments_only:
            blank(start, end)

    while True:
        found = _MAY_OPEN.search(source, i)
        if found is None:
            break
        i = found.start()
        c = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif source.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                nested = _COMMENT_MARK.search(source, j)
                if nested is None:
                    j = n
                    break
                depth += 1 if nested.group() == "/*" else -1
                j = nested.end()
            blank(i, j)
            i = j
        elif c in "rbc" and (m := _RAW_STRING.match(source, i)) and not _ident_before(source, i):
            closing = '"' + m.group(1)
            end = source.find(closing, m.end())
            end = n if end < 0 else end + len(closing)
            literal(i, end)
            i = end
        elif c == '"' or (c == "b" and source.startswith('b"', i) and not _ident_before(source, i)):
            j = i + (2 if c == "b" else 1)
            while j < n and source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            literal(i, j + 1)
            i = j + 1
        elif c in "'b" and (m := _CHAR_LITERAL.match(source, i)) and not _ident_before(source, i):
            literal(i, m.end())
            i = m.end()
        else:
            i += 1
        if i >= n:
            break
    out.append(source[kept:])
    masked = "".join(out)
    if comments_only:
        return masked  # the literals as written
    return masked if masked.isascii() else masked.translate(_RUST_ONLY_WHITESPACE)


def _ident_before(source: str, i: int) -> bool:
    return i > 0 and (source[i - 1].isalnum() or source[i - 1] == "_")


def net_depth(mask: str, start: int = 0, end: int | None = None) -> int:
    """Braces opened minus braces closed in `mask[start:end]` (masked code)."""
    end = len(mask) if end is None else end
    return mask.count("{", start, end) - mask.count("}", start, end)


def brace_depth(code: str) -> tuple[int, int | None]:
    """Scan masked code; return (final depth, offset where depth first drops below zero or None)."""
    depth = 0
    for i, c in enumerate(code):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return depth, i
    return depth, None


_NOT_A_DELIMITER = re.compile(r"[^()\[\]{}]+")
_CLOSING = {"{": "}", "(": ")", "[": "]"}
_OPENING_OF = {closing: opening for opening, closing in _CLOSING.items()}


def delimiters_unbalanced(code: str) -> bool:
    """Whether the brackets of masked code fail to nest: one left open, one closing nothing or the wrong kind.
    That is where rustc's lexer stops the whole crate ("this file contains an unclosed delimiter") — in a batch
    after that one module, where any other syntax error is reported beside every module's errors. An
    unterminated comment or string blanks the rest of the mask, so it shows here as an unclosed bracket."""
    stack: list[str] = []
    for c in _NOT_A_DELIMITER.sub("", code):
        if c in "([{":
            stack.append(c)
        elif not stack or stack.pop() != _OPENING_OF[c]:
            return True
    return bool(stack)


def matching_brace(code: str, open_at: int) -> int | None:
    """Offset of the bracket closing the `{`, `(` or `[` at `open_at` in masked code, or None when it never closes."""
    opening = code[open_at]
    closing = _CLOSING[opening]
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == opening:
            depth += 1
        elif code[i] == closing:
            depth -= 1
            if depth == 0:
                return i
    return None


def split_top_level(text: str, *, masked: bool = False) -> list[str]:
    """`text` split at the commas outside brackets (`<>` too, but not the `>` of `->`), each part stripped,
    empty parts dropped: `a: Vec<(i32, i32)>, f: fn(i32) -> i32` → two parts. `masked`: commas and brackets
    inside string and char literals and comments do not count (`f("a, b", 1)` has two arguments)."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, c in enumerate(code_mask(text) if masked else text):
        if c in "([{<":
            depth += 1
        elif c in ")]}" or (c == ">" and text[i - 1 : i] != "-"):
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]

"""The character-by-character `code_mask` that `sigil_eval.program.rust_lexer` replaced (a faster scanner with
the same output): kept as the reference the differential test compares against."""

from __future__ import annotations

from sigil_eval.program.rust_lexer import _CHAR_LITERAL, _RAW_STRING, _ident_before


def reference_code_mask(source: str) -> str:
    """Return `source` with every comment and literal replaced by spaces (newlines kept).

    The result has the same length and line structure as the input, so offsets and line numbers carry over.
    An unterminated comment or literal blanks out the rest of the text, as rustc would refuse it anyway.
    """
    out = list(source)
    i, n = 0, len(source)

    def blank(start: int, end: int) -> None:
        for j in range(start, min(end, n)):
            if out[j] != "\n":
                out[j] = " "

    while i < n:
        c = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif source.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if source.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif source.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and (m := _RAW_STRING.match(source, i)) and not _ident_before(source, i):
            closing = '"' + m.group(1)
            end = source.find(closing, m.end())
            end = n if end < 0 else end + len(closing)
            blank(i, end)
            i = end
        elif c == '"' or (c == "b" and source.startswith('b"', i) and not _ident_before(source, i)):
            j = i + (2 if c == "b" else 1)
            while j < n and source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c in "'b" and (m := _CHAR_LITERAL.match(source, i)) and not _ident_before(source, i):
            blank(i, m.end())
            i = m.end()
        else:
            i += 1
    return "".join(out)

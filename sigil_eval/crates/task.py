"""A crate task, read from a JSONL row as given (Exercism's shape: `slug`, `cargo_toml`, `src`, `tests`,
`example`, `meta_config`, `instructions` …), or from an Exercism-style directory tree (`exercise_rows`)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import msgspec


class CrateTask(msgspec.Struct, frozen=True, kw_only=True):
    """One task: the crate an answer completes and the tests that judge it."""

    task_id: str  # the row's `task_id`, else its `slug`
    crate_name: str  # `[package] name` of its Cargo.toml
    cargo_toml: str
    sources: dict[str, str]  # the stub files an answer starts from, by path (`src/lib.rs`, …)
    tests: dict[str, str]  # the test files (`tests/*.rs`), never taken from an answer
    editable: tuple[str, ...]  # the paths an answer may write (`files.solution`; `Cargo.toml` only if listed)
    instructions: str = ""  # what the model is shown besides the files: instructions, their append, introduction
    reference: dict[str, str] = msgspec.field(default_factory=dict)  # the example solution, by the path it replaces

    @property
    def main_file(self) -> str:
        """The file an answer of one unnamed code block is: the first editable Rust source (`src/lib.rs`)."""
        rust = [path for path in self.editable if path.endswith(".rs")]
        return "src/lib.rs" if "src/lib.rs" in rust or not rust else rust[0]


def _text_fields(row: dict[str, Any], name: str) -> dict[str, str]:
    value = row.get(name) or {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"field {name!r}: an object of path → file text expected")
    return dict(value)


def _relative(path: str) -> str:
    """A path inside the crate, or ValueError (no `..`, no absolute path: files are written under the crate)."""
    parts = Path(path).parts
    if not parts or Path(path).is_absolute() or ".." in parts:
        raise ValueError(f"path {path!r} leaves the crate")
    return "/".join(parts)


def _reference(example: dict[str, str], editable: tuple[str, ...]) -> dict[str, str]:
    """Exercism keeps its example under `.meta/`: `example.rs` is `src/lib.rs`, other files keep their names
    under `src/`."""
    found = {}
    for path, text in example.items():
        name = Path(path).name
        target = "src/lib.rs" if name == "example.rs" else f"src/{name}"
        if path.startswith(".meta/src/"):
            target = path.removeprefix(".meta/")
        if target in editable or target.startswith("src/"):
            found[target] = text
    return found


def task_from_row(row: dict[str, Any]) -> CrateTask:
    """One task from its row; ValueError naming the field otherwise."""
    task_id = row.get("task_id") or row.get("slug")
    if not isinstance(task_id, str) or not task_id:
        raise ValueError("field 'task_id' (or 'slug') missing or not a string")
    cargo_toml = row.get("cargo_toml")
    if not isinstance(cargo_toml, str):
        raise ValueError("field 'cargo_toml' missing or not a string")
    try:
        crate_name = tomllib.loads(cargo_toml)["package"]["name"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"field 'cargo_toml': no [package] name ({exc})") from None
    sources = {_relative(p): t for p, t in _text_fields(row, "src").items()}
    tests = {_relative(p): t for p, t in _text_fields(row, "tests").items()}
    if not tests:
        raise ValueError("field 'tests': no test file")
    files = (row.get("meta_config") or {}).get("files") or {}
    listed = files.get("solution") or row.get("editable") or sorted(sources)
    if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
        raise ValueError("field 'meta_config.files.solution': a list of paths expected")
    editable = tuple(_relative(p) for p in listed if _relative(p) not in tests)
    instructions = "\n\n".join(
        text for name in ("instructions", "instructions_append", "introduction") if (text := row.get(name) or "")
    )
    return CrateTask(
        task_id=task_id,
        crate_name=str(crate_name),
        cargo_toml=cargo_toml,
        sources=sources,
        tests=tests,
        editable=editable,
        instructions=instructions,
        reference=_reference(_text_fields(row, "example"), editable),
    )


def exercise_rows(track: Path) -> list[dict[str, Any]]:
    """Rows in the JSONL shape from an Exercism-style tree: `<track>/exercises/practice/<slug>/` (or `<track>`
    itself holding exercise directories), each with `Cargo.toml`, `src/`, `tests/`, `.docs/`, `.meta/`."""
    root = track / "exercises" / "practice" if (track / "exercises" / "practice").is_dir() else track
    rows = []
    for exercise in sorted(p for p in root.iterdir() if (p / "Cargo.toml").is_file()):

        def texts(directory: Path, base: Path = exercise) -> dict[str, str]:
            if not directory.is_dir():
                return {}
            return {str(f.relative_to(base)): f.read_text() for f in sorted(directory.rglob("*")) if f.is_file()}

        config_path = exercise / ".meta" / "config.json"
        meta = json.loads(config_path.read_text()) if config_path.is_file() else {}
        docs = exercise / ".docs"
        example_paths = (meta.get("files") or {}).get("example") or []
        rows.append(
            {
                "slug": exercise.name,
                "cargo_toml": (exercise / "Cargo.toml").read_text(),
                "src": texts(exercise / "src"),
                "tests": texts(exercise / "tests"),
                "example": {p: (exercise / p).read_text() for p in example_paths if (exercise / p).is_file()},
                "meta_config": meta,
                **{
                    name: (docs / f"{name}.md").read_text() if (docs / f"{name}.md").is_file() else ""
                    for name in ("instructions", "introduction")
                },
                "instructions_append": (docs / "instructions.append.md").read_text()
                if (docs / "instructions.append.md").is_file()
                else "",
            }
        )
    return rows

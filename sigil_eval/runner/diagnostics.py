"""Read rustc's `--error-format=json` stream: errors, clippy lints by line, environmental failures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sigil_eval.cargo_cache.warm import SAMPLE_CRATES


@dataclass(frozen=True, slots=True)
class Diagnostic:
    level: str
    code: str | None
    message: str
    rendered: str
    primary_lines: tuple[tuple[str, int, int], ...]  # (file, line_start, line_end) of primary spans

    @property
    def is_clippy(self) -> bool:
        return bool(self.code and self.code.startswith("clippy::"))


@dataclass(slots=True)
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)
    other_stderr: list[str] = field(default_factory=list)  # non-JSON lines (linker output, crashes)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level.startswith("error")]

    def summary(self) -> str:
        """One line saying why the build failed: the first error's message."""
        errors = self.errors
        if errors:
            return errors[0].message
        return (self.other_stderr or ["compiler failed"])[0]

    def rendered_errors(self, limit: int = 16_000) -> str:
        text = "".join(d.rendered for d in self.errors) + "\n".join(self.other_stderr)
        return text[:limit]

    def clippy_lints_within(self, file_name: str, first: int, last: int) -> list[Diagnostic]:
        return [
            d
            for d in self.items
            if d.is_clippy
            and any(f == file_name and start <= last and end >= first for f, start, end in d.primary_lines)
        ]

    def environmental_failure(self) -> str | None:
        """A failure of the machine, not of the sample: one of our crates missing, no linker."""
        for d in self.errors:
            ours = any(f"`{crate}`" in d.message for crate in SAMPLE_CRATES)
            if d.code in _CRATE_LOAD_ERRORS and ours:
                return f"crate cache broken: {d.message}"
            if d.message.startswith("extern location for ") and d.message.split()[3] in SAMPLE_CRATES:
                return f"crate cache broken: {d.message}"  # an rlib of the cache deleted under the run
            if "linker `" in d.message and "not found" in d.message:
                return f"no linker: {d.message}"
        for line in self.other_stderr:
            if "error while loading shared libraries" in line:
                return line
        return None


def lint_names(lints: list[Diagnostic]) -> tuple[str, ...]:
    """The distinct lint names of clippy diagnostics, sorted: `clippy::needless_return`."""
    return tuple(sorted({d.code for d in lints if d.code}))


# can't find crate; invalid metadata; wrong rustc version; and the other ways an rlib fails to load
_CRATE_LOAD_ERRORS = frozenset({"E0460", "E0461", "E0462", "E0463", "E0464", "E0514", "E0786"})


def _primary_lines(spans: list[dict[str, Any]]) -> tuple[tuple[str, int, int], ...]:
    """Primary span locations; a span inside a macro expansion is traced back to where the macro was called."""
    found: list[tuple[str, int, int]] = []
    for span in spans:
        if not span.get("is_primary"):
            continue
        current = span
        while isinstance(current.get("expansion"), dict) and isinstance(current["expansion"].get("span"), dict):
            current = current["expansion"]["span"]
        found.append(
            (str(current.get("file_name")), int(current.get("line_start") or 0), int(current.get("line_end") or 0))
        )
    return tuple(found)


def parse_diagnostics(stderr: bytes) -> Diagnostics:
    result = Diagnostics()
    for raw in stderr.decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("{"):
            if raw.strip():
                result.other_stderr.append(raw)
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            result.other_stderr.append(raw)
            continue
        if message.get("$message_type", "diagnostic") != "diagnostic":
            continue
        code = message.get("code") or {}
        result.items.append(
            Diagnostic(
                level=str(message.get("level", "")),
                code=code.get("code") if isinstance(code, dict) else None,
                message=str(message.get("message", "")),
                rendered=str(message.get("rendered") or message.get("message", "") + "\n"),
                primary_lines=_primary_lines(message.get("spans") or []),
            )
        )
    return result

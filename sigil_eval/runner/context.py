"""What every job of one evaluation shares: toolchain, warm crates, sandbox, options, scratch space."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sigil_eval.cargo_cache import Toolchain, WarmCache
from sigil_eval.options import EvalOptions
from sigil_eval.runner.sandbox import Sandbox


@dataclass(frozen=True, slots=True)
class JobContext:
    toolchain: Toolchain
    cache: WarmCache
    sandbox: Sandbox
    options: EvalOptions
    scratch_root: Path

    @property
    def clippy_driver(self) -> Path | None:
        return self.toolchain.clippy_driver if self.options.clippy != "off" else None

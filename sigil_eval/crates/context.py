"""What judging a crate needs, opened once per run: the job context (toolchain, sandbox, options), the crate cache
(vendored dependencies, the harness package) and the prebuilt target directories."""

from __future__ import annotations

from dataclasses import dataclass, field

from sigil_eval.crates.prebuilt import PrebuiltTargets
from sigil_eval.crates.warm import CrateCache
from sigil_eval.runner.context import JobContext


@dataclass(frozen=True, slots=True)
class CrateContext:
    job: JobContext
    cache: CrateCache
    prebuilt: PrebuiltTargets = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prebuilt", PrebuiltTargets(self.job, self.cache))

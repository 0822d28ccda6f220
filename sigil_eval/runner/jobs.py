"""The scheduling seam: what a job is, what comes back, and what runs jobs. Nothing here judges.

A job is a batch or one sample judged alone; an `Executor` runs jobs and returns their verdicts, and says what it
judges with (`JudgeSetup`). The scheduler sees nothing else of where or how a job runs: the local executor
(`runner.local`) runs it on this machine's worker slots, the Ray one (`distributed`) on a cluster's, a test's
fake one in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from sigil_eval.program.assemble import Program
from sigil_eval.records import IsolationReason, Problem, Result
from sigil_eval.runner.batch.source import BatchModule
from sigil_eval.runner.results import fresh_result
from sigil_eval.runner.sandbox import SandboxKind


@dataclass(frozen=True, slots=True)
class IsolatedItem:
    """A sample ready for the isolated path: policy checked, program assembled, result record started."""

    problem: Problem
    program: Program
    result: Result
    why: IsolationReason | None = None  # batched mode: why this sample is judged alone

    @property
    def index(self) -> int:
        return self.result.sample_index


@dataclass(slots=True)
class BatchItem:
    """A sample ready to join a batch: as `IsolatedItem`, with the module it takes in the batch crate."""

    problem: Problem
    program: Program
    module: BatchModule  # with its own tests, or shims to its problem's shared tests (`own` keeps the former)
    result: Result  # pre-filled: ids, completion, main_free
    syntax_error: bool = False  # brackets that do not close stop rustc: batched apart (see `route`)
    name: str = ""  # its module's name (`s12`) in the batch crate being judged: kept through the rebuilds
    compile_ms: float = 0.0
    own: BatchModule | None = None  # its own-tests module, while `module` runs the shared tests

    @property
    def index(self) -> int:
        return self.result.sample_index

    def alone(self, why: IsolationReason) -> IsolatedItem:
        """This member as a sample to judge on its own, with a fresh result record."""
        return IsolatedItem(self.problem, self.program, fresh_result(self.result), why=why)


@dataclass(frozen=True, slots=True)
class BatchJob:
    """Samples of one edition compiled as one crate and run by one harness."""

    items: tuple[BatchItem, ...]


@dataclass(frozen=True, slots=True)
class IsolatedJob:
    """One sample compiled and run on its own."""

    item: IsolatedItem


Job = BatchJob | IsolatedJob


@dataclass(slots=True)
class JobOutcome:
    results: list[Result] = field(default_factory=list)
    # batch members the batch could not judge, each to be judged alone (`IsolatedItem.why` says why)
    requeue: list[IsolatedItem] = field(default_factory=list)


class JudgeSetup(msgspec.Struct, frozen=True, kw_only=True):
    """What an executor judges with, as the evaluator needs to know it: the report's header, the verdict store's
    keys, and whether a pass can be oracle-proof."""

    rustc_version: str
    sandbox: SandboxKind
    # firejail and the uid switch: the harness's pipes are out of the sample's reach (see `Result.oracle_proof`)
    values_kept_out: bool
    clippy_available: bool
    # everything besides the sample that decides its verdict (`runner.fingerprint.verdict_settings`)
    verdict_settings: dict[str, Any]


class Executor(Protocol):
    """Runs jobs. `capacity` is how many it runs at once: the scheduler never has more in flight."""

    @property
    def capacity(self) -> int: ...

    @property
    def setup(self) -> JudgeSetup: ...

    async def execute(self, job: Job) -> JobOutcome: ...

    async def aclose(self) -> None:
        """Release what the executor holds (called by the evaluator that opened it)."""

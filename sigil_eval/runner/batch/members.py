"""What a batch found about its members: judged (a `SampleOutcome`) or handed back to be judged alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from sigil_eval.records import BATCH, SHARED_TESTS, IsolationReason, JudgedBy
from sigil_eval.runner.batch.source import BatchModule
from sigil_eval.runner.diagnostics import Diagnostics
from sigil_eval.runner.jobs import BatchItem
from sigil_eval.runner.outcome import SampleOutcome


@dataclass(slots=True)
class BatchOutcome:
    judged: list[tuple[BatchItem, SampleOutcome]] = field(default_factory=list)
    isolate: list[tuple[BatchItem, IsolationReason]] = field(default_factory=list)  # and why the batch could not


def judged_by(item: BatchItem) -> JudgedBy:
    return BATCH if item.module.shared is None else SHARED_TESTS


def compile_failure(item: BatchItem, errors: Diagnostics, *, with_clippy: bool) -> SampleOutcome:
    """The verdict on a member whose own compile errors are `errors`."""
    return SampleOutcome(
        judged_by=judged_by(item),
        compile_ms=item.compile_ms,
        compile_errors=errors,
        clippy_clean=False if with_clippy else None,
    )


def listing(members: list[BatchItem]) -> list[tuple[str, int, BatchModule]]:
    """The members as the generated root lists them: module name, sample index, module."""
    return [(item.name, item.index, item.module) for item in members]


def member_of(file_name: str, members: list[BatchItem]) -> int | None:
    """The position in `members` of the member whose module file this is (`s12.rs`), or None."""
    return next((position for position, item in enumerate(members) if f"{item.name}.rs" == file_name), None)

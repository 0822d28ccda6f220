"""Judge many answers to crate tasks in one cargo workspace: each answer's crate a member of its own, all built by
one `cargo build --keep-going` over one target directory (the harness and the dependencies compiled once, rustc
kept busy across crates), each member's errors attributed to it by its manifest, each member's tests run in the
sandbox with only its own directory in view.

A member must get the verdict its crate gets alone (`judge`), field by field: only crates that declare the same
dependencies share a workspace, and crates a workspace would change are judged alone (`route`); a member's
package is renamed for the build, its own manifest put back before its tests run, its diagnostics' paths written
as alone; a member whose build failed without an error of its own, or a workspace whose build ran out of time, is
judged again alone.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sigil_eval.crates.cargo_build import CrateBuild, cargo_build
from sigil_eval.crates.context import CrateContext
from sigil_eval.crates.harnessed import HarnessedCrate, as_member, harnessed_crate
from sigil_eval.crates.judge import finish_crate, judge_crate, new_result
from sigil_eval.crates.route import AloneReason, alone_reason, resolver
from sigil_eval.crates.task import CrateTask
from sigil_eval.records import CrateTaskResult, Sample


@dataclass(frozen=True, slots=True)
class _Member:
    position: int  # in the batch
    task: CrateTask
    directory: str  # in the workspace, and its package's name
    crate: HarnessedCrate
    manifest: str  # its manifest as a member: the package renamed to `directory`
    result: CrateTaskResult


async def judge_crate_batch(
    items: list[tuple[CrateTask, Sample, int]],
    crates: CrateContext,
    slot: int = 0,
) -> list[CrateTaskResult]:
    """The verdicts on `items` (task, sample, input line), in their order. Their tasks share a `route.batch_key`."""
    results: list[CrateTaskResult | None] = [None] * len(items)
    members: list[_Member] = []
    alone: list[tuple[int, AloneReason | None]] = []
    for position, (task, sample, index) in enumerate(items):
        result, written = new_result(task, sample, index)
        if written is None:
            results[position] = result
            continue
        reason = alone_reason(task, {**task.sources, **written})
        crate = harnessed_crate(task, written, crates.cache.harness)
        directory = f"sigil-member-{position}"
        manifest = as_member(crate.files["Cargo.toml"], directory)
        if reason is not None or manifest is None:
            alone.append((position, reason or "unusual_manifest"))
            continue
        result.ignored_files += crate.ignored
        members.append(_Member(position, task, directory, crate, manifest, result))
    if len(members) == 1:  # a workspace of one is its crate alone, with more steps
        alone.append((members.pop().position, None))
    if members:
        workspace = Path(tempfile.mkdtemp(prefix="crates-", dir=crates.job.scratch_root))
        try:
            for member, verdict in zip(members, await _build_and_run(members, workspace, crates, slot), strict=True):
                if isinstance(verdict, CrateTaskResult):
                    results[member.position] = verdict
                else:
                    alone.append((member.position, verdict))
        finally:
            if not crates.job.options.keep_scratch:
                shutil.rmtree(workspace, ignore_errors=True)
    for position, why in sorted(alone):
        task, sample, index = items[position]
        result = await judge_crate(task, sample, index, crates, slot)
        result.judged_by = "isolated" if why is None else f"isolated: {why}"
        results[position] = result
    return [result for result in results if result is not None]


async def _build_and_run(
    members: list[_Member],
    workspace: Path,
    crates: CrateContext,
    slot: int,
) -> list[CrateTaskResult | AloneReason]:
    """Each member's verdict, or why it must be judged again alone."""
    names = ", ".join(f'"{member.directory}"' for member in members)
    root = f'[workspace]\nmembers = [{names}]\nresolver = "{resolver(members[0].task)}"\n'
    (workspace / "Cargo.toml").write_text(root)
    for member in members:
        for path, text in member.crate.files.items():
            target = workspace / member.directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        (workspace / member.directory / "Cargo.toml").write_text(member.manifest)
    seed = await crates.prebuilt.for_task(members[0].task)
    build = await cargo_build(workspace, crates.job, crates.cache, crates=len(members), prebuilt=seed)
    verdicts: list[CrateTaskResult | AloneReason] = []
    for member in members:
        directory = workspace / member.directory
        built = build.crates.get(directory, CrateBuild())
        if build.timed_out:
            verdicts.append("workspace_timeout")
            continue
        if set(built.executables) != set(member.crate.tests) and not built.errors:
            verdicts.append("unattributed")
            continue
        if built.clippy_denied:
            verdicts.append("clippy_denied")
            continue
        # as alone from here: its own manifest, its test binaries inside its directory (the tests see no other)
        (directory / "Cargo.toml").write_text(member.crate.files["Cargo.toml"])
        deps = directory / "target" / "debug" / "deps"
        deps.mkdir(parents=True, exist_ok=True)
        built.executables = {name: path.rename(deps / path.name) for name, path in built.executables.items()}
        member.result.judged_by = "batched"
        verdicts.append(await finish_crate(build, built, member.crate, directory, crates.job, slot, member.result))
    return verdicts

"""Judge one answer to a crate task alone: its crate (`harnessed`) built in a job directory of its own
(`cargo_build`), its tests run under our harness (`run`). The batched path (`workspace`) must agree with this one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sigil_eval.crates.answer import answer_files
from sigil_eval.crates.cargo_build import CargoBuild, CrateBuild, cargo_build
from sigil_eval.crates.context import CrateContext
from sigil_eval.crates.harnessed import HarnessedCrate, harnessed_crate
from sigil_eval.crates.run import run_crate_tests
from sigil_eval.crates.task import CrateTask
from sigil_eval.errors import StoreError
from sigil_eval.records import CrateTaskResult, Sample
from sigil_eval.runner.context import JobContext


def new_result(task: CrateTask, sample: Sample, index: int) -> tuple[CrateTaskResult, dict[str, str] | None]:
    """The result to fill for `sample`, and the files its answer writes (None: it holds no code, and the result is
    final)."""
    answer = answer_files(sample.completion, task)
    result = CrateTaskResult(
        task_id=task.task_id,
        completion=sample.completion,
        sample_index=index,
        completion_id=sample.completion_id,
        ignored_files=list(answer.ignored),
    )
    if answer.no_code:
        result.error_type, result.result = "no_code", "the answer holds no code"
        return result, None
    return result, answer.files


async def judge_crate(
    task: CrateTask, sample: Sample, index: int, crates: CrateContext, slot: int = 0
) -> CrateTaskResult:
    """The verdict on `sample` (input line `index`) as an answer to `task`: every test by name, `passed` only when
    all pass."""
    result, written = new_result(task, sample, index)
    if written is None:
        return result
    ctx = crates.job
    crate = harnessed_crate(task, written, crates.cache.harness)
    result.ignored_files += crate.ignored
    job = Path(tempfile.mkdtemp(prefix="crate-", dir=ctx.scratch_root))
    try:
        for path, text in crate.files.items():
            (job / path).parent.mkdir(parents=True, exist_ok=True)
            (job / path).write_text(text)
        seed = await crates.prebuilt.for_task(task)
        build = await cargo_build(job, ctx, crates.cache, prebuilt=seed)
        built = build.crates.get(job, CrateBuild())
        if built.clippy_denied:  # the answer made a clippy lint an error: the verdict is the build's without clippy
            note_clippy(build, built, crate, result)
            build = await cargo_build(job, ctx, crates.cache, clippy=False)
            built = build.crates.get(job, CrateBuild())
        if build.returncode != 0 and not build.timed_out and not built.errors and not built.executables:
            _stopped_before_compiling(task, build)
        return await finish_crate(build, built, crate, job, ctx, slot, result)
    finally:
        if not ctx.options.keep_scratch:  # a crate's target dir holds its dependencies' builds: tens of MB
            shutil.rmtree(job, ignore_errors=True)


async def finish_crate(
    build: CargoBuild,
    built: CrateBuild,
    crate: HarnessedCrate,
    directory: Path,
    ctx: JobContext,
    slot: int,
    result: CrateTaskResult,
) -> CrateTaskResult:
    """The verdict on a crate `build` built (`built`: what it got): a compile failure, or its tests' verdicts."""
    if build.timed_out:
        result.error_type, result.result, result.compile_ok = (
            "compile_timeout",
            f"build exceeded {build.budget:g} s",
            False,
        )
    elif set(built.executables) != set(crate.tests):
        result.compile_ok, result.error_type = False, "compile_error"
        result.result, result.stderr = "failed: compile_error", built.rendered_errors[-8000:]
    else:
        result.compile_ok = True
        note_clippy(build, built, crate, result)
        await run_crate_tests(built.executables, crate.tests, directory, list(crate.files), ctx, slot, result)
    result.tests_total = len(result.tests_passed) + len(result.tests_failed)
    return result


def _stopped_before_compiling(task: CrateTask, build: CargoBuild) -> None:
    """Cargo failed before it compiled the crate — its manifest, the dependencies, the cache — and nothing an
    answer writes gets there: an infrastructure error naming the task, never the answer's compile error."""
    if "could not compile" in build.stderr:
        return  # rustc ran and failed without a diagnostic of its own (a crash): the answer's compile error
    raise StoreError(
        f"crate task {task.task_id}: cargo stopped before compiling it, offline from the crate cache: {build.reason}"
    )


def note_clippy(build: CargoBuild, built: CrateBuild, crate: HarnessedCrate, result: CrateTaskResult) -> None:
    """Clippy's lints in the answer's own files (a lint in the tests is not the answer's), when clippy ran."""
    if not build.clippy:
        return
    lints = sorted({lint for lint, file in built.lints if file in crate.answer})
    result.clippy_ok, result.clippy_lints = not lints, lints

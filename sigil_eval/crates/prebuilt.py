"""The shared, pre-warmed target directories: for each set of dependencies the tasks declare (`route.batch_key`),
the harness and those dependencies compiled once — in the sandbox, offline, as a judged crate's build compiles
them — and kept in the crate cache; every judged crate or workspace of that set starts from a copy, so cargo finds
them fresh and compiles only the answers' crates.

A template that does not build (its dependencies do not build offline from the cache, or the task's manifest
names files an empty library lacks) gives no prebuilt directory: the set's crates build from nothing, and a
build that cargo stops before compiling anything is an infrastructure error naming the task (`judge`), never an
answer's compile error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import anyio
import structlog

from sigil_eval.crates.cargo_build import BUILD_PROFILE, cargo_build
from sigil_eval.crates.harnessed import as_member, harnessed_crate
from sigil_eval.crates.route import batch_key
from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import CrateCache
from sigil_eval.runner.context import JobContext

log = structlog.get_logger("sigil_eval")


class PrebuiltTargets:
    """The prebuilt target directory of each dependency set, built on first use (once per cache)."""

    def __init__(self, ctx: JobContext, cache: CrateCache) -> None:
        self._ctx, self._cache = ctx, cache
        self._locks: dict[str, anyio.Lock] = {}
        self._unbuildable: set[str] = set()  # keys whose template did not build (tried once a run)

    async def for_task(self, task: CrateTask) -> Path | None:
        """The prebuilt target directory for `task`'s crate (None: its manifest is one the template cannot be made
        from, and its crate builds from nothing)."""
        key = batch_key(task)
        profile = repr(sorted(BUILD_PROFILE.items()))
        place = self._cache.root / "targets" / hashlib.sha256((key + profile).encode()).hexdigest()[:16]
        async with self._locks.setdefault(key, anyio.Lock()):
            if key in self._unbuildable:
                return None
            if not place.is_dir() and not await self._build(task, place):
                self._unbuildable.add(key)
                return None
        return place

    async def _build(self, task: CrateTask, place: Path) -> bool:
        template = harnessed_crate(
            CrateTask(
                task_id=task.task_id,
                crate_name=task.crate_name,
                cargo_toml=task.cargo_toml,
                sources={"src/lib.rs": ""},
                tests={},
                editable=(),
            ),
            {},
            self._cache.harness,
        )
        # named apart from every judged crate, so none of its own builds can pass for theirs
        manifest = as_member(template.files["Cargo.toml"], "sigil-template")
        if manifest is None:
            return False
        job = Path(tempfile.mkdtemp(prefix="crate-template-", dir=self._ctx.scratch_root))
        try:
            (job / "src").mkdir()
            (job / "src" / "lib.rs").write_text("")
            (job / "Cargo.toml").write_text(manifest)
            build = await cargo_build(job, self._ctx, self._cache)
            if build.timed_out or build.returncode != 0:
                log.warning("no prebuilt dependencies for this task's crates", task=task.task_id, reason=build.reason)
                return False
            shutil.rmtree(job / "target" / "debug" / "incremental", ignore_errors=True)  # the template's own
            place.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=".staged-", dir=place.parent))
            shutil.copytree(job / "target", staged / "target", symlinks=True)
            with contextlib.suppress(OSError):  # whole or not at all; another run's equal copy may have won
                os.rename(staged / "target", place)
            shutil.rmtree(staged, ignore_errors=True)
            return True
        finally:
            shutil.rmtree(job, ignore_errors=True)

"""What every job of one evaluation shares, opened once: toolchain, warm crates, a sandbox proven to work,
options, scratch space, and the settings that decide verdicts besides the sample."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sigil_eval.cargo_cache import Toolchain, WarmCache, resolve_toolchain, warm
from sigil_eval.errors import SandboxError, ToolchainError
from sigil_eval.options import EvalOptions
from sigil_eval.runner.fingerprint import verdict_settings
from sigil_eval.runner.limits import PROBE_FILE_SIZE
from sigil_eval.runner.process import run_limited
from sigil_eval.runner.sandbox import Limits, Sandbox, make_sandbox
from sigil_eval.runner.scratch import create_scratch


@dataclass(frozen=True, slots=True)
class JobContext:
    toolchain: Toolchain
    cache: WarmCache  # the crate cache
    sandbox: Sandbox
    options: EvalOptions
    scratch_root: Path
    # what besides the sample decides its verdict in this run (see `fingerprint`)
    verdict_settings: dict[str, Any]

    @property
    def clippy_driver(self) -> Path | None:
        return self.toolchain.clippy_driver if self.options.clippy != "off" else None


async def open_context(options: EvalOptions) -> JobContext:
    """Find the toolchain, warm the crate cache, pick the sandbox and prove it can compile and run; raises an
    InfraError saying what is missing when the machine cannot evaluate."""
    toolchain = await resolve_toolchain()
    if options.clippy == "required" and toolchain.clippy_driver is None:
        raise ToolchainError(
            "--clippy required, but clippy-driver is not in the toolchain (rustup component add clippy)"
        )
    cache = await warm(toolchain, options.cache_dir)
    sandbox = make_sandbox(
        options.sandbox,
        allow_no_sandbox=options.allow_no_sandbox or options.sandbox == "none",
        visible=[toolchain.sysroot, cache.deps_dir],
    )
    if options.require_sandbox and sandbox.kind == "none":
        raise SandboxError("--require-sandbox: no sandbox available")
    ctx = JobContext(
        toolchain=toolchain,
        cache=cache,
        sandbox=sandbox,
        options=options,
        scratch_root=create_scratch(),
        verdict_settings=verdict_settings(toolchain.version, sandbox.kind, options),
    )
    try:
        await _check_sandbox(ctx)
    except BaseException:
        close_context(ctx)
        raise
    return ctx


def close_context(ctx: JobContext) -> None:
    if not ctx.options.keep_scratch:
        shutil.rmtree(ctx.scratch_root, ignore_errors=True)


async def _check_sandbox(ctx: JobContext) -> None:
    """Start the sandbox once with the real compiler, so a broken jail fails the run, not every sample."""
    probe = ctx.scratch_root / "probe"
    probe.mkdir(mode=0o755)
    limits = Limits(cpu_seconds=10, address_space=ctx.options.compile_memory, file_size=PROBE_FILE_SIZE)
    # a real compile: the jail must read the scratch dir and write to it, or every sample would fail to
    # compile ("couldn't read `src.rs`") and be scored a compile error
    (probe / "probe.rs").write_text("pub fn probe() {}\n")
    compile_probe = [str(ctx.toolchain.rustc), "--crate-type=lib", "--emit=metadata", "probe.rs", "-o", "probe.rmeta"]
    outcome = await run_limited(
        ctx.sandbox.compile_argv(compile_probe, probe, limits),
        cwd=probe,
        env=ctx.sandbox.environment(probe),
        wall_timeout=30,
    )
    if outcome.returncode != 0 or not (probe / "probe.rmeta").is_file():
        raise SandboxError(
            f"sandbox ({ctx.sandbox.kind}) cannot compile in the scratch dir {ctx.scratch_root}: "
            f"{_first_error(outcome.stderr)} (a TMPDIR the jail hides, such as /dev/shm?)"
        )
    # and a test binary's way in: its jail and its own uid (a failure there would look like the sample's)
    outcome = await run_limited(
        ctx.sandbox.run_argv(["/bin/true"], probe, limits, slot=0),
        cwd=probe,
        env=ctx.sandbox.environment(probe),
        wall_timeout=30,
    )
    if outcome.returncode != 0:
        raise SandboxError(
            f"sandbox ({ctx.sandbox.kind}) cannot start a test binary under its own uid: {_last_line(outcome.stderr)}"
        )
    shutil.rmtree(probe, ignore_errors=True)


def _first_error(stderr: bytes) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return next((line for line in lines if line.startswith("error")), lines[-1] if lines else "no output")


def _last_line(stderr: bytes) -> str:
    return (stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"])[0]

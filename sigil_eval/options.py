"""Every knob of an evaluation, in one typed record shared by the API and the CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import msgspec

ClippyMode = Literal["off", "advisory", "required"]
SandboxMode = Literal["auto", "firejail", "none"]
Mode = Literal["batched", "isolated"]
Backend = Literal["local", "ray"]
# which tests judge a HumanEval problem: its own (base), or base + the plus inputs (`datasets.humaneval.plus`), or
# base + the reduced plus suite (`plus-mini`)
TestsMode = Literal["base", "plus", "plus-mini"]


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask: a container's or `taskset`'s limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity API on this platform
        return max(1, os.cpu_count() or 1)


class EvalOptions(msgspec.Struct, frozen=True, kw_only=True):
    workers: int = msgspec.field(default_factory=available_cpus)
    timeout: float = 10.0
    compile_timeout: float | None = None  # defaults to `timeout`
    run_timeout: float | None = None  # defaults to `timeout`
    clippy: ClippyMode = "advisory"
    sandbox: SandboxMode = "auto"
    allow_no_sandbox: bool = False
    require_sandbox: bool = False
    policy: bool = False
    prelude: bool = True
    mode: Mode = "batched"
    batch_size: int = 100  # most samples per crate in batched mode (evened out when the input size is known)
    stall_warning: float = 30.0  # seconds without a result before the samples in flight are logged
    verify_fraction: float = 0.0  # batched mode: re-judge this share of batched samples alone and compare
    batch_wait: float = 0.3  # seconds a partial batch waits for more samples from a stream
    # batched mode: a problem's tests compiled once per batch for all its samples there (`program.shared_tests`)
    share_tests: bool = True
    cache_dir: Path | None = None  # the crate cache's root (default ~/.cache/sigil-eval, or $SIGIL_EVAL_CACHE)
    reuse_verdicts: bool = True  # identical programs judged once, within a run and across runs (the verdict store)
    verdict_store: Path | None = None  # its SQLite file: $SIGIL_EVAL_VERDICT_DB, else <cache_dir>/verdicts.sqlite
    keep_scratch: bool = False
    output_cap: int = 64 * 1024  # bytes of stdout/stderr kept per process
    compile_memory: int = 4 << 30  # RLIMIT_AS of the compiler
    run_memory: int = 2 << 30  # RLIMIT_AS of a test binary
    run_processes: int = 64  # RLIMIT_NPROC of a test binary's own uid (threads count)
    backend: Backend = "local"  # where jobs run: this machine, or a Ray cluster (the `ray` extra)
    ray_address: str | None = None  # with backend "ray": the cluster to join (default: RAY_ADDRESS, else a local one)
    tests: TestsMode = "base"

    @property
    def compile_budget(self) -> float:
        return self.compile_timeout if self.compile_timeout is not None else self.timeout

    @property
    def run_budget(self) -> float:
        return self.run_timeout if self.run_timeout is not None else self.timeout

    def validate(self) -> EvalOptions:
        from sigil_eval.errors import InputError

        if self.workers < 1:
            raise InputError(f"--workers must be at least 1, got {self.workers}")
        for name, value in (
            ("timeout", self.timeout),
            ("compile-timeout", self.compile_budget),
            ("run-timeout", self.run_budget),
        ):
            if not value > 0:
                raise InputError(f"--{name} must be positive, got {value}")
        if not 0.0 <= self.verify_fraction <= 1.0:
            raise InputError(f"--verify-fraction must lie in [0, 1], got {self.verify_fraction}")
        if self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1, got {self.batch_size}")
        if self.ray_address is not None and self.backend != "ray":
            raise InputError("--ray-address needs --backend ray")
        if self.require_sandbox and self.sandbox == "none":
            raise InputError("--require-sandbox contradicts --sandbox none")
        return self

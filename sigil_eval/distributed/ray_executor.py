"""The Ray executor: the same jobs as `LocalExecutor` (`runner.local`), run by one actor per node.

Each actor opens its own `LocalExecutor` on its node (toolchain, crate cache warmed once there, sandbox proven
there) and holds as many worker slots as the CPUs it was given (`num_cpus` is set explicitly: Ray actors take none
by default). The driver keeps at most `capacity` jobs in flight (the scheduler's bound) and sends each job to the
actor with the most free slots. A job whose actor or node dies is sent to another actor (at least once; judging
is pure, and the evaluator keeps one result per input line). The driver needs no toolchain or sandbox of its own:
what the cluster judges with is what its nodes report, and a node that judges with anything else than the first
(another toolchain, sandbox or evaluator version) is refused: verdicts (and the verdict store's keys) depend on it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import anyio
import msgspec
import structlog

from sigil_eval.errors import InfraError, ToolchainError
from sigil_eval.options import EvalOptions
from sigil_eval.runner.jobs import Job, JobOutcome, JudgeSetup
from sigil_eval.runner.local import LocalExecutor

log = structlog.get_logger("sigil_eval")
JOB_ATTEMPTS = 3  # actors a job is tried on before the run stops with an infrastructure error


class JudgeActor:
    """Runs on one node (see `RayExecutor`): a `LocalExecutor` opened there. Its methods are called through Ray."""

    def __init__(self, options: EvalOptions, slots: int, first_slot: int) -> None:
        self.options = msgspec.structs.replace(options, workers=slots)
        # slot numbers pick sandbox uids: numbered cluster-wide, so nodes sharing a machine share no uid
        self.first_slot = first_slot
        self.executor: LocalExecutor | None = None

    async def open(self) -> JudgeSetup:
        """Open the executor on this node; what it judges with."""
        self.executor = await LocalExecutor.open(self.options, self.first_slot)
        return self.executor.setup

    async def run(self, job: Job) -> tuple[JobOutcome, float]:
        """The job's outcome, and the seconds it took here (the driver's own measure shows the dispatch cost)."""
        assert self.executor is not None
        started = time.perf_counter()
        outcome = await self.executor.execute(job)
        return outcome, time.perf_counter() - started

    async def close(self) -> None:
        if self.executor is not None:
            await self.executor.aclose()


@dataclass
class _Actor:
    handle: Any
    node_id: str
    slots: int
    busy: int = 0
    alive: bool = True


class RayExecutor:
    """`Evaluator(problems, backend="ray")` opens one; or `executor = RayExecutor(options, address)`, `await
    executor.start()`, then `Evaluator(problems, executor=executor)` (and `await executor.aclose()` after)."""

    def __init__(self, options: EvalOptions, address: str | None = None) -> None:
        import ray

        self._ray = ray
        if not ray.is_initialized():
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        self._options = options
        self._setup: JudgeSetup | None = None
        self._actors: list[_Actor] = []
        self._free = anyio.Condition()
        self.retried = 0
        self.timings: list[tuple[float, float]] = []  # per job: seconds at the driver, seconds on the node

    async def start(self) -> None:
        """One actor per alive node with CPUs, each opened, and what it judges with checked against the first's."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        remote = self._ray.remote(JudgeActor)
        pending = []
        first_slot = 0
        for node in self._ray.nodes():  # type: ignore[no-untyped-call]
            cpus = int(node.get("Resources", {}).get("CPU", 0))
            if not node.get("Alive") or cpus < 1:
                continue
            handle = remote.options(
                num_cpus=cpus,
                max_concurrency=cpus + 2,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(self._options, cpus, first_slot)
            first_slot += cpus
            actor = _Actor(handle, node["NodeID"], cpus, alive=False)  # known to `aclose` from now on
            self._actors.append(actor)
            pending.append((actor, handle.open.remote()))  # type: ignore[attr-defined]
        if not pending:
            raise InfraError("the Ray cluster has no alive node with CPUs")
        for actor, opened in pending:
            try:
                setup = await opened
            except self._ray.exceptions.RayError as exc:
                raise InfraError(f"Ray node {actor.node_id[:12]} cannot evaluate: {_cause(exc)}") from None
            setup = self._comparable(setup)
            if self._setup is None:
                self._setup = setup
            elif setup != self._setup:
                raise ToolchainError(
                    f"Ray node {actor.node_id[:12]} judges with {_differences(setup, self._setup)}: "
                    "install the same toolchain, sandbox and sigil-eval on every node"
                )
            actor.alive = True
        log.info("ray executor ready", nodes=len(self._actors), slots=self.capacity)

    def _comparable(self, setup: JudgeSetup) -> JudgeSetup:
        """What a node judges with, as far as this run's verdicts depend on it: without clippy, whether a node
        has clippy-driver does not matter."""
        if self._options.clippy == "off":
            return msgspec.structs.replace(setup, clippy_available=False)
        return setup

    @property
    def setup(self) -> JudgeSetup:
        if self._setup is None:
            raise RuntimeError("RayExecutor.start() first")
        return self._setup

    @property
    def capacity(self) -> int:
        return sum(a.slots for a in self._actors if a.alive)

    async def execute(self, job: Job) -> JobOutcome:
        last = ""
        for _ in range(JOB_ATTEMPTS):
            actor = await self._acquire()
            started = time.perf_counter()
            try:
                outcome, on_node = await actor.handle.run.remote(job)
                self.timings.append((time.perf_counter() - started, on_node))
                return outcome  # type: ignore[no-any-return]
            except (self._ray.exceptions.RayActorError, self._ray.exceptions.NodeDiedError) as exc:
                actor.alive = False
                self.retried += 1
                last = _cause(exc)
                log.warning("a Ray actor died; its job goes to another", node=actor.node_id[:12], alive=self.capacity)
            except self._ray.exceptions.RayTaskError as exc:
                cause = exc.as_instanceof_cause()  # type: ignore[no-untyped-call]
                raise (cause if isinstance(cause, InfraError) else InfraError(_cause(exc))) from None
            finally:
                await self._release(actor)
        raise InfraError(f"a job failed on {JOB_ATTEMPTS} Ray actors: {last}")

    async def _acquire(self) -> _Actor:
        async with self._free:
            while True:
                alive = [a for a in self._actors if a.alive]
                if not alive:
                    raise InfraError("every Ray actor died")
                free = [a for a in alive if a.busy < a.slots]
                if free:
                    actor = max(free, key=lambda a: a.slots - a.busy)
                    actor.busy += 1
                    return actor
                await self._free.wait()

    async def _release(self, actor: _Actor) -> None:
        async with self._free:
            actor.busy -= 1
            self._free.notify_all()

    async def aclose(self) -> None:
        """Every actor started (also one whose opening failed) removes its scratch space, then goes; a dead one
        only goes."""
        for actor in self._actors:
            with contextlib.suppress(self._ray.exceptions.RayError):
                await actor.handle.close.remote()
            with contextlib.suppress(self._ray.exceptions.RayError, ValueError):
                self._ray.kill(actor.handle)


def _cause(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _differences(setup: JudgeSetup, first: JudgeSetup) -> str:
    """What a node judges with that the first node does not, e.g. `rustc_version rustc 1.94.0 (…), the first
    node rustc 1.95.0 (…)`."""
    mine, theirs = msgspec.to_builtins(setup), msgspec.to_builtins(first)
    if mine["verdict_settings"] != theirs["verdict_settings"]:
        mine.update(mine.pop("verdict_settings"))
        theirs.update(theirs.pop("verdict_settings"))
    return "; ".join(
        f"{name} {mine[name]}, the first node {theirs.get(name)}" for name in mine if mine[name] != theirs.get(name)
    )

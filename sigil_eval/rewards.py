"""Rewards for RL loops: in process (no server) for TRL and verl, and a remote variant that asks `sigil-eval serve`.

Reward values (`reward_of`): `reward="pass"` (the default), 1.0 for a pass, 0.0 otherwise, and `compile_credit`
(default 0.0) for a sample that compiles but fails its tests; `reward="fraction"`, the share of the problem's
recorded cases that returned the expected value (`Result.cases_passed / cases_total`) — see docs/serving-and-rl.md
for how each can be gamed. A sample that cannot be judged at all (an unknown task id) gets None from the TRL
function (TRL's "not applicable") and 0.0 from verl's, and is logged.

Each adapter keeps one evaluator for the life of its process (`SharedJudge`): opened on the first call, in a
thread with an event loop of its own — so TRL's loop, verl's per-call `anyio.run` or any other caller can use it,
and concurrent calls share its batches — closed at exit; a forked child (a dataloader worker) opens its own.

    trainer = GRPOTrainer(..., reward_funcs=[trl_reward(task_id_column="task_id")])
    # verl: custom_reward_function.path=…/my_reward.py, name=compute_score, with
    compute_score = verl_compute_score()
    # many trainers, one judge:  sigil-eval serve --port 8000  and
    reward_funcs=[remote_reward("http://127.0.0.1:8000")]
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.abc
import anyio.from_thread
import anyio.to_thread
import structlog

from sigil_eval.engine.evaluator import Evaluator, ProblemsArg
from sigil_eval.engine.verdict_pool import VerdictPool
from sigil_eval.extras import require_extra
from sigil_eval.records import Rejection, Result, Sample

log = structlog.get_logger("sigil_eval")
CALL_BATCH_WAIT = 0.02  # seconds a reward call's partial batch waits for company (the service's default is 0.3)


RewardMode = Literal["pass", "fraction"]


def reward_of(result: Result, compile_credit: float = 0.0, reward: RewardMode = "pass") -> float:
    """`pass`: 1.0 for a pass; `compile_credit` for a sample that compiled but failed; 0.0 otherwise. `fraction`:
    the share of the problem's recorded cases that returned the expected value (a problem whose tests are not
    cases: 1.0 or 0.0, as `pass`)."""
    if reward == "fraction" and result.cases_total:
        return (result.cases_passed or 0) / result.cases_total
    if result.passed:
        return 1.0
    return compile_credit if result.compile_ok and reward == "pass" else 0.0


def completion_text(completion: Any) -> str:
    """A completion as TRL passes it: a string, or (conversational datasets) a list of {role, content} messages,
    of which the assistant's are the answer."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [m.get("content", "") for m in completion if isinstance(m, dict) and m.get("role") == "assistant"]
        return "".join(p for p in parts if isinstance(p, str))
    return str(completion)


async def judge_rewards(
    task_ids: Sequence[str], completions: Sequence[str], *, problems: ProblemsArg, compile_credit: float, **options: Any
) -> list[float | None]:
    """A reward per completion, judged in one evaluator (batched), None where a sample could not be judged."""
    samples = [{"task_id": t, "completion": c} for t, c in zip(task_ids, completions, strict=True)]
    async with Evaluator(problems, **options) as evaluator:
        results = [r async for r in evaluator.results(samples)]
    rewards: list[float | None] = [None] * len(samples)
    for result in results:
        rewards[result.sample_index] = reward_of(result, compile_credit)
    _log_rejections(evaluator.rejections)
    return rewards


class SharedJudge:
    """One evaluator for every reward call of this process (see the module's doc): `judge` from any thread, or
    `await judge_async` from any event loop."""

    def __init__(self, problems: ProblemsArg = None, **options: Any) -> None:
        # a reward call's samples come at once: a batch need not wait for another call's (`batch_wait` sets it)
        self._problems, self._options = problems, {"batch_wait": CALL_BATCH_WAIT, **options}
        self._lock = threading.Lock()
        self._pid: int | None = None  # the process that opened it: a forked child opens its own
        self._open: _OpenJudge | None = None
        atexit.register(self.close)

    def _opened(self) -> _OpenJudge:
        with self._lock:
            if self._open is None or self._pid != os.getpid():  # a parent's, after a fork: its thread is not here
                self._open, self._pid = _OpenJudge.start(self._problems, self._options), os.getpid()
            return self._open

    def judge(self, task_ids: Sequence[str], completions: Sequence[str]) -> list[Result | None]:
        """A verdict per completion, in order; None for a task id the problem set does not know (logged)."""
        opened = self._opened()
        samples = [Sample(task_id=t, completion=c) for t, c in zip(task_ids, completions, strict=True)]
        known = [sample for sample in samples if sample.task_id in opened.known]
        opened.pool.reserve(len(known))
        verdicts = iter(opened.portal.call(opened.pool.judge, known))
        results: list[Result | None] = []
        for line, sample in enumerate(samples, start=1):
            if sample.task_id in opened.known:
                results.append(next(verdicts))
            else:
                results.append(None)
                log.warning("sample not judged: no reward", line=line, reason=f"unknown task_id {sample.task_id!r}")
        return results

    async def judge_async(self, task_ids: Sequence[str], completions: Sequence[str]) -> list[Result | None]:
        """`judge` from an event loop: this loop waits on a thread while the judge's own loop works."""
        return await anyio.to_thread.run_sync(self.judge, task_ids, completions)

    def close(self) -> None:
        """Close the evaluator (at exit, or before); a later call opens another."""
        with self._lock:
            opened, self._open = self._open, None
            if opened is not None and self._pid == os.getpid():
                opened.close()


@dataclass(frozen=True, slots=True)
class _OpenJudge:
    stack: ExitStack  # holds the portal: its event loop runs in a thread of its own
    portal: anyio.from_thread.BlockingPortal
    pool: VerdictPool
    stop: anyio.Event
    lifetime: Future[None]  # the task that holds the evaluator open (one task: its scopes enter and exit there)
    known: frozenset[str]  # the problem set's task ids

    @classmethod
    def start(cls, problems: ProblemsArg, options: dict[str, Any]) -> _OpenJudge:
        stack = ExitStack()
        portal = stack.enter_context(anyio.from_thread.start_blocking_portal())
        try:
            stop = portal.call(anyio.Event)
            lifetime, (evaluator, pool) = portal.start_task(_lifetime, problems, options, stop)
        except BaseException:
            stack.close()
            raise
        return cls(stack, portal, pool, stop, lifetime, frozenset(evaluator.problem_set.problems))

    def close(self) -> None:
        try:
            self.portal.call(self.stop.set)
            self.lifetime.result()
        finally:
            self.stack.close()


async def _lifetime(
    problems: ProblemsArg,
    options: dict[str, Any],
    stop: anyio.Event,
    *,
    task_status: anyio.abc.TaskStatus[tuple[Evaluator, VerdictPool]],
) -> None:
    """Open the evaluator and its pool, hand them over, and keep them until `stop`; then the samples already given
    are judged, and both close."""
    async with Evaluator(problems, **options) as evaluator, anyio.create_task_group() as group:
        pool = VerdictPool(evaluator, sys.maxsize)
        await group.start(pool.run)
        task_status.started((evaluator, pool))
        await stop.wait()
        pool.close()


def _log_rejections(rejections: list[Rejection]) -> None:
    for rejection in rejections:
        log.warning("sample not judged: no reward", line=rejection.line, reason=rejection.reason)


def trl_reward(
    problems: ProblemsArg = None,
    *,
    task_id_column: str = "task_id",
    compile_credit: float = 0.0,
    reward: RewardMode = "pass",
    **options: Any,
) -> Callable[..., Awaitable[list[float | None]]]:
    """An async TRL reward function `(prompts, completions, **kwargs) -> list[float | None]`; the task id of each
    sample comes from the dataset column `task_id_column` (TRL passes every column as a keyword)."""

    judge = SharedJudge(problems, **options)

    async def sigil_eval_rust(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        if task_id_column not in kwargs:
            raise KeyError(f"the dataset has no column {task_id_column!r} naming each sample's problem")
        results = await judge.judge_async(list(kwargs[task_id_column]), [completion_text(c) for c in completions])
        return [None if r is None else reward_of(r, compile_credit, reward) for r in results]

    sigil_eval_rust.judge = judge  # type: ignore[attr-defined]  # to close it early, or to look at it
    return sigil_eval_rust


def verl_compute_score(
    problems: ProblemsArg = None, *, compile_credit: float = 0.0, reward: RewardMode = "pass", **options: Any
) -> Callable[..., list[float]]:
    """verl's batch reward: `compute_score(data_sources, solution_strs, ground_truths, extra_infos)` → a float per
    solution. The ground truth is the task id (or a dict holding `task_id`). Called from verl's synchronous reward
    manager, from any thread."""
    judge = SharedJudge(problems, **options)

    def compute_score(
        data_sources: Sequence[Any],
        solution_strs: Sequence[str],
        ground_truths: Sequence[Any],
        extra_infos: Sequence[Any] | None = None,
        **_: Any,
    ) -> list[float]:
        task_ids = [g["task_id"] if isinstance(g, dict) else str(g) for g in ground_truths]
        results = judge.judge(task_ids, list(solution_strs))
        return [0.0 if r is None else reward_of(r, compile_credit, reward) for r in results]

    compute_score.judge = judge  # type: ignore[attr-defined]
    return compute_score


def remote_reward(
    url: str,
    *,
    token_env: str | None = None,
    task_id_column: str = "task_id",
    timeout: float = 600.0,
    reward: RewardMode = "pass",
) -> Callable[..., Awaitable[list[float | None]]]:
    """Like `trl_reward`, judged by a `sigil-eval serve` at `url` (the bearer token from `token_env`), so that many
    trainer processes share one judge and its batches. `reward` as for `reward_of` (no compile credit)."""
    require_extra("serve", "remote_reward", modules=("httpx",))  # the client of the service needs only httpx
    import httpx

    headers = {"Authorization": f"Bearer {os.environ[token_env]}"} if token_env else {}

    async def sigil_eval_rust_remote(
        prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float | None]:
        samples = [
            {"task_id": t, "completion": completion_text(c)}
            for t, c in zip(kwargs[task_id_column], completions, strict=True)
        ]
        async with httpx.AsyncClient(timeout=timeout, headers=headers) as client:
            response = await client.post(url.rstrip("/") + "/v1/evaluate", json={"samples": samples})
            response.raise_for_status()
        results = response.json()["results"]
        return [reward_of(Result(**r), reward=reward) if "rejected" not in r else None for r in results]

    return sigil_eval_rust_remote


__all__ = [
    "completion_text",
    "judge_rewards",
    "remote_reward",
    "reward_of",
    "trl_reward",
    "verl_compute_score",
]

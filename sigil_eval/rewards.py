"""Rewards for RL loops: in process (no server) for TRL and verl, and a remote variant that asks `sigil-eval serve`.

Reward values: 1.0 for a pass, 0.0 otherwise; `compile_credit` (default 0.0) is partial credit for a sample that
compiles but fails its tests. A sample that cannot be judged at all (an unknown task id) gets None from the TRL
function (TRL's "not applicable") and 0.0 from verl's, and is logged.

    trainer = GRPOTrainer(..., reward_funcs=[trl_reward(task_id_column="task_id")])
    # verl: custom_reward_function.path=…/my_reward.py, name=compute_score, with
    compute_score = verl_compute_score()
    # many trainers, one judge:  sigil-eval serve --port 8000  and
    reward_funcs=[remote_reward("http://127.0.0.1:8000")]
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
import structlog

from sigil_eval.engine.evaluator import Evaluator, ProblemsArg
from sigil_eval.extras import require_extra
from sigil_eval.records import Rejection, Result

log = structlog.get_logger("sigil_eval")


def reward_of(result: Result, compile_credit: float = 0.0) -> float:
    """1.0 for a pass; `compile_credit` for a sample that compiled but failed; 0.0 otherwise."""
    if result.passed:
        return 1.0
    return compile_credit if result.compile_ok else 0.0


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


def _log_rejections(rejections: list[Rejection]) -> None:
    for rejection in rejections:
        log.warning("sample not judged: no reward", line=rejection.line, reason=rejection.reason)


def trl_reward(
    problems: ProblemsArg = None, *, task_id_column: str = "task_id", compile_credit: float = 0.0, **options: Any
) -> Callable[..., Awaitable[list[float | None]]]:
    """An async TRL reward function `(prompts, completions, **kwargs) -> list[float | None]`; the task id of each
    sample comes from the dataset column `task_id_column` (TRL passes every column as a keyword)."""

    async def sigil_eval_rust(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        if task_id_column not in kwargs:
            raise KeyError(f"the dataset has no column {task_id_column!r} naming each sample's problem")
        return await judge_rewards(
            list(kwargs[task_id_column]),
            [completion_text(c) for c in completions],
            problems=problems,
            compile_credit=compile_credit,
            **options,
        )

    return sigil_eval_rust


def verl_compute_score(
    problems: ProblemsArg = None, *, compile_credit: float = 0.0, **options: Any
) -> Callable[..., list[float]]:
    """verl's batch reward: `compute_score(data_sources, solution_strs, ground_truths, extra_infos)` → a float per
    solution. The ground truth is the task id (or a dict holding `task_id`). Called from verl's synchronous reward
    manager; it runs its own event loop."""

    def compute_score(
        data_sources: Sequence[Any],
        solution_strs: Sequence[str],
        ground_truths: Sequence[Any],
        extra_infos: Sequence[Any] | None = None,
        **_: Any,
    ) -> list[float]:
        task_ids = [g["task_id"] if isinstance(g, dict) else str(g) for g in ground_truths]

        async def judged() -> list[float | None]:
            return await judge_rewards(
                task_ids, list(solution_strs), problems=problems, compile_credit=compile_credit, **options
            )

        return [r if r is not None else 0.0 for r in anyio.run(judged)]

    return compute_score


def remote_reward(
    url: str, *, token_env: str | None = None, task_id_column: str = "task_id", timeout: float = 600.0
) -> Callable[..., Awaitable[list[float | None]]]:
    """Like `trl_reward`, judged by a `sigil-eval serve` at `url` (the bearer token from `token_env`), so that many
    trainer processes share one judge and its batches. Rewards are 1.0 for a pass, else 0.0."""
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
        return [reward_of(Result(**r)) if "rejected" not in r else None for r in response.json()["results"]]

    return sigil_eval_rust_remote


__all__ = [
    "completion_text",
    "judge_rewards",
    "remote_reward",
    "reward_of",
    "trl_reward",
    "verl_compute_score",
]

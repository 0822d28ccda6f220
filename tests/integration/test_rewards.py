"""Reward functions for RL trainers (sigil_eval.rewards): TRL's async shape, verl's batch compute_score, and the
remote variant against a running `sigil-eval serve`."""

from __future__ import annotations

import anyio
import pytest

from sigil_eval.rewards import completion_text, remote_reward, trl_reward, verl_compute_score

from ..e2e.test_service import Service
from ..helpers import EXAMPLE_PROBLEMS, requires_firejail

RIGHT, WRONG, BROKEN = "    a + b\n}\n", "    a * b\n}\n", "    a +\n}\n"


@pytest.mark.fast
def test_chat_format_completions_are_the_assistants_text() -> None:
    assert completion_text("x") == "x"
    assert completion_text([{"role": "assistant", "content": "```rust\nfn f() {}\n```"}]) == "```rust\nfn f() {}\n```"
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == "a"


@requires_firejail
def test_trl_reward_function() -> None:
    reward = trl_reward(EXAMPLE_PROBLEMS, compile_credit=0.25, clippy="off", reuse_verdicts=False)
    chat = [{"role": "assistant", "content": f"Sure:\n```rust\nfn add(a: i64, b: i64) -> i64 {{\n{RIGHT}```"}]
    completions = [RIGHT, WRONG, BROKEN, chat, RIGHT]
    task_ids = ["Example/0"] * 4 + ["Nope/0"]
    rewards = anyio.run(lambda: reward(prompts=["p"] * 5, completions=completions, task_id=task_ids))
    assert rewards == [1.0, 0.25, 0.0, 1.0, None], "pass, compiles (partial credit), no build, chat, unknown"
    with pytest.raises(KeyError, match="task_id"):
        anyio.run(lambda: reward(prompts=["p"], completions=[RIGHT]))


@requires_firejail
def test_verl_compute_score() -> None:
    compute_score = verl_compute_score(EXAMPLE_PROBLEMS, clippy="off", reuse_verdicts=False)
    scores = compute_score(
        data_sources=["sigil"] * 3,
        solution_strs=[RIGHT, WRONG, RIGHT],
        ground_truths=["Example/0", {"task_id": "Example/0"}, "Nope/0"],
        extra_infos=[None] * 3,
    )
    assert scores == [1.0, 0.0, 0.0]


@requires_firejail
def test_remote_reward_against_the_service() -> None:
    service = Service()
    try:
        reward = remote_reward(service.url)
        rewards = anyio.run(
            lambda: reward(prompts=["p"] * 3, completions=[RIGHT, WRONG, RIGHT], task_id=["Example/0"] * 2 + ["X/0"])
        )
        assert rewards == [1.0, 0.0, None]
    finally:
        service.stop()

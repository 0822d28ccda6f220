"""Reward functions for RL trainers (sigil_eval.rewards): TRL's async shape, verl's batch compute_score, and the
remote variant against a running `sigil-eval serve`."""

from __future__ import annotations

import os

import anyio
import anyio.to_thread
import pytest

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set
from sigil_eval.rewards import completion_text, remote_reward, trl_reward, verl_compute_score

from ..e2e.test_service import Service
from ..helpers import EXAMPLE_PROBLEMS, judge, requires_firejail

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
def test_one_evaluator_serves_every_call_from_any_loop_thread_or_forked_child() -> None:
    """Opened once on first use; calls from two event loops, a plain thread and concurrent callers share it; a
    forked child (a dataloader worker) opens its own; closing it twice is harmless, and a later call reopens."""
    compute_score = verl_compute_score(EXAMPLE_PROBLEMS, clippy="off", reuse_verdicts=False)
    judge = compute_score.judge  # type: ignore[attr-defined]
    reward = trl_reward(EXAMPLE_PROBLEMS, clippy="off", reuse_verdicts=False)

    def score(solution: str) -> float:
        return compute_score(data_sources=["s"], solution_strs=[solution], ground_truths=["Example/0"])[0]

    assert score(RIGHT) == 1.0
    opened = judge._open
    assert anyio.run(lambda: reward(prompts=["p"], completions=[WRONG], task_id=["Example/0"])) == [0.0]
    assert anyio.run(lambda: anyio.to_thread.run_sync(score, RIGHT)) == 1.0  # another loop, another thread

    async def together() -> list[float]:
        scores: list[float] = []

        async def one(solution: str) -> None:
            scores.append(await anyio.to_thread.run_sync(score, solution))

        async with anyio.create_task_group() as group:
            for solution in (RIGHT, WRONG, RIGHT, BROKEN):
                group.start_soon(one, solution)
        return sorted(scores)

    assert anyio.run(together) == [0.0, 0.0, 1.0, 1.0]
    assert judge._open is opened and opened.pool.requests == 6  # one evaluator, every call through it

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a dataloader worker: its parent's judge thread is not here
        try:
            os.write(write, str(score(RIGHT)).encode())
            judge.close()  # as its exit would
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 16) == b"1.0" and os.waitpid(child, 0)[1] == 0
    judge.close()
    judge.close()
    assert score(WRONG) == 0.0 and judge._open is not opened
    judge.close()


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


@requires_firejail
def test_the_fraction_of_cases_passed_is_the_same_batched_and_alone_and_a_dense_reward() -> None:
    """HumanEval/53 (`add`, 105 recorded cases): an answer right only for small x passes some of them; every
    case runs, right or wrong, so the count is the answer's, batched or alone."""
    problems = load_problem_set(get_human_eval_dataset())
    partial = "    if x < 5 { x + y } else { 0 }\n}\n"
    bodies = [partial, "    x + y\n}\n", "    x - \n}\n", "    if x == 0 { panic!() }\n    x + y\n}\n"]
    samples = [{"task_id": "HumanEval/53", "completion": body} for body in bodies]
    batched = judge(samples, problems, clippy="off", reuse_verdicts=False)
    alone = judge(samples, problems, clippy="off", reuse_verdicts=False, mode="isolated")
    assert [r.cases_passed for r in batched] == [r.cases_passed for r in alone]
    some, right, broken, panics = batched
    assert right.cases_passed == right.cases_total == 105 and broken.cases_passed == 0
    assert some.cases_total == 105 and 0 < (some.cases_passed or 0) < 105
    assert panics.cases_passed == 0  # the first case panics: nothing after it ran
    compute_score = verl_compute_score(problems, reward="fraction", clippy="off", reuse_verdicts=False)
    scores = compute_score(
        data_sources=["s"] * 2, solution_strs=[partial, RIGHT_53], ground_truths=["HumanEval/53"] * 2
    )
    assert scores == [pytest.approx((some.cases_passed or 0) / 105), 1.0]
    compute_score.judge.close()  # type: ignore[attr-defined]


RIGHT_53 = "    x + y\n}\n"

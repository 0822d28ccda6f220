"""`--backend ray` on a real local Ray cluster (`ray.cluster_utils.Cluster`, three simulated nodes of one CPU):
the same verdicts as the local backend, and a node killed mid-run loses no input line."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import ProblemSet, load_problem_set
from sigil_eval.records import AGREED_FIELDS

from ..helpers import EXAMPLE_PROBLEMS, cli, judge, requires_firejail, write_jsonl
from .test_service import free_port

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")
pytestmark = [requires_firejail, pytest.mark.slow]


def test_ray_start_head_then_the_cli_with_its_address(tmp_path: Path) -> None:
    """The path a user takes: `ray start --head`, then `sigil-eval … --backend ray --ray-address`. (First in this
    module: `ray stop` ends every Ray process of the machine, the shared cluster below included.)"""
    ray_cli = str(Path(sys.executable).with_name("ray"))
    port = free_port()
    # token auth is Ray's business, and its default depends on whether ~/.ray/auth_token exists (a local
    # ray.init() writes one): the same explicit mode for the head and the driver keeps the test hermetic
    env = dict(os.environ, RAY_AUTH_MODE="disabled")
    start = [ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    subprocess.run([*start, "--disable-usage-stats"], check=True, capture_output=True, timeout=120, env=env)
    try:
        samples = write_jsonl(
            tmp_path / "s.jsonl",
            [{"task_id": "Example/0", "completion": body} for body in ("    a + b\n}\n", "    a - b\n}\n") * 5],
        )
        args = ["--problems", str(EXAMPLE_PROBLEMS), "--backend", "ray", "--ray-address", f"127.0.0.1:{port}"]
        done = cli(str(samples), *args, "--clippy", "off", "--no-reuse", "--json", env=env)
        assert done.returncode == 0, done.stderr
        metrics = json.loads(done.stdout.strip().splitlines()[-1])
        assert metrics["n_samples"] == 10 and metrics["pass_at_k"]["pass@1"] == 0.5
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    running = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    for _ in range(2):
        running.add_node(num_cpus=1)
    running.wait_for_nodes()
    ray.init(address=running.address, log_to_driver=False)
    yield running
    ray.shutdown()
    running.shutdown()


@pytest.fixture(scope="module")
def builtin() -> ProblemSet:
    return load_problem_set(get_human_eval_dataset())


def mixed_samples(problems: ProblemSet, count: int) -> list[dict[str, Any]]:
    """Reference solutions, wrong bodies and broken ones, over many problems."""
    rng = random.Random(14)
    tasks = sorted(problems.problems)
    rows = []
    for i in range(count):
        problem = problems.problems[tasks[i % len(tasks)]]
        body = rng.choice([problem.canonical_solution or "", "    todo!()\n}\n", '    let x: i32 = "no";\n}\n'])
        rows.append({"task_id": problem.task_id, "completion": body, "completion_id": i})
    return rows


RETRIED: list[int] = []  # jobs the last Ray run sent to another actor


def through_ray(samples: list[dict[str, Any]], problems: ProblemSet, during: Any = None) -> list[sigil_eval.Result]:
    async def main() -> list[sigil_eval.Result]:
        results = []
        async with sigil_eval.Evaluator(
            problems, backend="ray", clippy="off", reuse_verdicts=False, batch_size=10
        ) as ev:
            async for result in ev.results(samples):
                results.append(result)
                if during is not None and len(results) == 20:
                    during()
            RETRIED[:] = [ev.executor.retried]  # type: ignore[attr-defined]
        return sorted(results, key=lambda r: r.sample_index)

    return anyio.run(main)


def test_ray_gives_the_local_verdicts(cluster: Any, builtin: ProblemSet) -> None:
    samples = mixed_samples(builtin, 90)
    remote = through_ray(samples, builtin)
    local = judge(samples, builtin, clippy="off", workers=2, batch_size=10)
    assert [r.sample_index for r in remote] == list(range(90))
    for mine, reference in zip(remote, local, strict=True):
        assert {f: getattr(mine, f) for f in AGREED_FIELDS} == {f: getattr(reference, f) for f in AGREED_FIELDS}
    assert {r.passed for r in remote} == {True, False}


def test_a_node_killed_mid_run_loses_no_line(cluster: Any, builtin: ProblemSet) -> None:
    samples = mixed_samples(builtin, 120)
    victim = cluster.list_all_nodes()[-1]
    results = through_ray(samples, builtin, during=lambda: cluster.remove_node(victim))
    assert [r.sample_index for r in results] == list(range(120)), "every input line exactly once"
    assert RETRIED[0] >= 1, "the dead node's jobs were sent to another actor"
    local = judge(samples, builtin, clippy="off", workers=2, batch_size=10)
    assert [r.passed for r in results] == [r.passed for r in local]
    cluster.add_node(num_cpus=1)  # for whatever runs after
    cluster.wait_for_nodes()


def test_a_node_lost_while_the_service_answers_loses_no_verdict(cluster: Any, builtin: ProblemSet) -> None:
    """`serve --backend ray` as the command runs it (uvicorn over one pool whose Ray actors live as long as the
    service), four concurrent HTTP clients, and a node removed while their samples are judged: every request gets
    a verdict for each of its samples, each judged once, the local backend's verdicts."""
    import httpx
    import uvicorn

    from sigil_eval.service.app import QuietServer, ServiceLimits, create_app, open_pool

    from .test_service import free_port

    requests = [mixed_samples(builtin, 160)[i::4] for i in range(4)]
    port = free_port()
    victim = cluster.list_all_nodes()[-1]

    answers: list[list[dict[str, Any]]] = [[] for _ in requests]
    metrics: dict[str, Any] = {}

    async def main() -> int:
        evaluator = sigil_eval.Evaluator(builtin, backend="ray", clippy="off", reuse_verdicts=False, batch_size=8)
        limits = ServiceLimits()
        async with open_pool(evaluator, limits) as pool, anyio.create_task_group() as group:
            config = uvicorn.Config(create_app(pool, limits=limits), port=port, log_level="warning", lifespan="off")
            server = QuietServer(config)
            group.start_soon(server.serve)
            await until(lambda: server.started)

            async def client(number: int, http: httpx.AsyncClient) -> None:
                response = await http.post("/v1/evaluate", json={"samples": requests[number]})
                response.raise_for_status()
                answers[number] = response.json()["results"]

            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
                async with anyio.create_task_group() as clients:
                    for number in range(len(requests)):
                        clients.start_soon(client, number, http)
                    await until(lambda: pool.judged >= 20)  # under way
                    await anyio.to_thread.run_sync(cluster.remove_node, victim)
                metrics.update((await http.get("/metrics")).json())
            retried = int(evaluator.executor.retried)  # type: ignore[attr-defined]
            server.should_exit = True
        return retried

    retried = anyio.run(main)
    assert retried >= 1, "the lost node's jobs went to another actor"
    assert metrics["judged"] == sum(len(r) for r in requests), "every sample judged once"
    for sent, got in zip(requests, answers, strict=True):
        assert [r["sample_index"] for r in got] == list(range(len(sent)))
        local = judge(sent, builtin, clippy="off", workers=2, batch_size=10)
        assert [r["passed"] for r in got] == [r.passed for r in local]
    cluster.add_node(num_cpus=1)  # for whatever runs after
    cluster.wait_for_nodes()


async def until(check: Callable[[], bool]) -> None:
    for _ in range(6000):
        if check():
            return
        await anyio.sleep(0.05)
    raise AssertionError("waited 5 minutes")

"""From a served model to verdicts: `generate` and `run` against a real OpenAI-compatible HTTP server on loopback
(tests/servers), with the faults real servers have, and kill -9 mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import sigil_eval
from sigil_eval.engine.evaluator import resolve_problems
from sigil_eval.inputs.problemsets import ProblemSet

from ..helpers import cli, on_a_terminal, requires_firejail
from ..servers.openai_compatible import ModelServer

LIMIT = 6  # problems per run: HumanEval/0..5 of the built-in set


@pytest.fixture(scope="module")
def builtin() -> ProblemSet:
    return resolve_problems(None)


@pytest.fixture
def server(builtin: ProblemSet) -> Iterator[ModelServer]:
    with ModelServer(builtin, slow_s=2.5) as running:
        yield running


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def generation_flags(server: ModelServer, *extra: str) -> list[str]:
    return ["--base-url", server.url, "--model", "test-model", "--limit", str(LIMIT), *extra]


def test_generate_writes_every_sample_with_its_metadata(server: ModelServer, tmp_path: Path) -> None:
    out = tmp_path / "samples.jsonl"
    done = cli("generate", *generation_flags(server, "--n", "3", "--out", str(out)))
    assert done.returncode == 0, done.stderr
    rows = lines(out)
    assert Counter((r["task_id"], r["completion_id"]) for r in rows) == {
        (f"HumanEval/{t}", c): 1 for t in range(LIMIT) for c in range(3)
    }
    assert all(r["finish_reason"] == "stop" and r["model"] == "test-model" for r in rows)
    assert all(r["prompt_tokens"] == 100 and r["completion_tokens"] > 0 and r["latency_s"] >= 0 for r in rows)
    # completions API: the default stop `\n}` was sent and honoured (the body ends before its closing brace)
    assert all(stops == ["\n}"] for stops in server.stops.values()) and len(server.stops) == LIMIT
    assert all("\n}" not in r["completion"] for r in rows)
    assert sum(server.requests.values()) == LIMIT, "n samples of a problem in one request"


@requires_firejail
def test_run_judges_the_answers_and_reports_pass_at_k(server: ModelServer, tmp_path: Path) -> None:
    server.wrong.add("HumanEval/1")
    out = tmp_path / "results.jsonl"
    page = tmp_path / "report.html"
    flags = generation_flags(server, "--n", "2", "--out", str(out), "--json", "--k", "1,2", "--report", str(page))
    done = cli("run", *flags)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    assert metrics["n_samples"] == 2 * LIMIT and metrics["generation_errors"] == 0
    assert metrics["pass@1"] == pytest.approx((LIMIT - 1) / LIMIT)
    results = lines(out)
    assert [(r["task_id"], r["completion_id"]) for r in results] == [
        (f"HumanEval/{t}", c) for t in range(LIMIT) for c in range(2)
    ], "the results file is in problem order, one line per sample"
    assert {r["task_id"] for r in results if not r["passed"]} == {"HumanEval/1"}
    assert len(lines(tmp_path / "results.samples.jsonl")) == 2 * LIMIT, "the samples file beside the results"
    html = page.read_text()  # `run --report` draws the page of its results, pass@2 with its interval
    assert f"{metrics['pass@2']:.3f} <span" in html and "HumanEval/1" in html


@requires_firejail
def test_chat_answers_with_think_blocks_and_a_response_prefix_are_judged(server: ModelServer, tmp_path: Path) -> None:
    server.think = True
    out = tmp_path / "chat.jsonl"
    done = cli("run", *generation_flags(server, "--api", "chat", "--out", str(out), "--json"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["pass@1"] == 1.0
    samples = lines(tmp_path / "chat.samples.jsonl")
    assert all(s["completion"].startswith("<think>") for s in samples), "the raw answer is kept"
    prefixed = tmp_path / "prefixed.jsonl"
    done = cli(
        "run",
        *generation_flags(server, "--api", "chat", "--response-prefix", "<think>\n", "--out", str(prefixed), "--json"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["pass@1"] == 1.0
    assert all(s["completion"].startswith("<think>\n") for s in lines(tmp_path / "prefixed.samples.jsonl"))


def test_faults_are_retried_and_a_request_that_keeps_failing_is_recorded_not_scored(
    server: ModelServer, tmp_path: Path
) -> None:
    server.script("HumanEval/0", "429")  # Retry-After: 1
    server.script("HumanEval/1", "500")
    server.script("HumanEval/2", "slow")  # past the request timeout
    server.script("HumanEval/3", "drop")  # the connection closes mid-body
    server.script("HumanEval/4", *["500"] * 3)  # more than --max-retries 2 allows
    out = tmp_path / "samples.jsonl"
    started = time.monotonic()
    flags = generation_flags(server, "--out", str(out), "--request-timeout", "1", "--max-retries", "2")
    done = cli("generate", *flags)
    assert done.returncode == 1, "a sample failed for good: generate says so"
    assert time.monotonic() - started >= 1.0, "Retry-After was honoured"
    rows = {r["task_id"]: r for r in lines(out)}
    assert {t for t, r in rows.items() if r.get("generation_error")} == {"HumanEval/4"}
    assert "InternalServerError 500" in rows["HumanEval/4"]["generation_error"]
    assert server.requests["HumanEval/4"] == 3 and all(server.requests[f"HumanEval/{t}"] == 2 for t in range(4))
    assert "1 generation errors" in done.stderr
    # a rerun asks again for the failed sample only; the healthy server now answers it
    again = cli("generate", *flags)
    assert again.returncode == 0, again.stderr
    assert server.requests["HumanEval/4"] == 4 and server.requests["HumanEval/5"] == 1
    assert sorted(r["task_id"] for r in lines(out)) == [f"HumanEval/{t}" for t in range(LIMIT)]
    assert not any(r.get("generation_error") for r in lines(out))


@requires_firejail
def test_evaluate_counts_generation_errors_as_rejections_never_as_failures(server: ModelServer, tmp_path: Path) -> None:
    server.script("HumanEval/2", *["500"] * 2)
    out = tmp_path / "results.jsonl"
    flags = generation_flags(server, "--out", str(out), "--max-retries", "1", "--json")
    done = cli("run", *flags)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    assert metrics["generation_errors"] == 1 and metrics["n_samples"] == LIMIT - 1 and metrics["pass@1"] == 1.0
    assert "HumanEval/2" not in {r["task_id"] for r in lines(out)}
    evaluated = cli("evaluate", str(tmp_path / "results.samples.jsonl"), "--json", "--out", str(tmp_path / "e.jsonl"))
    again = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert again["generation_errors"] == 1 and again["n_rejected"] == 1 and again["pass@1"] == 1.0


def test_a_server_that_refuses_n_gets_one_request_per_sample(server: ModelServer, tmp_path: Path) -> None:
    server.refuse_n = True
    out = tmp_path / "samples.jsonl"
    done = cli("generate", *generation_flags(server, "--n", "4", "--out", str(out)))
    assert done.returncode == 0, done.stderr
    assert len(lines(out)) == 4 * LIMIT and "refuses n > 1" in done.stderr
    assert sum(server.served.values()) == 4 * LIMIT


def test_stop_sequences_of_the_set_and_of_the_flag_are_sent(server: ModelServer, tmp_path: Path) -> None:
    out = tmp_path / "samples.jsonl"
    done = cli("generate", *generation_flags(server, "--stop", "\n    ", "--out", str(out)))
    assert done.returncode == 0, done.stderr
    assert all(stops == ["\n    "] for stops in server.stops.values())
    assert all("\n    " not in r["completion"] for r in lines(out)), "the server cut at the given stop"


def _kill_when(process: subprocess.Popen[str], path: Path, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= at_least:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.02)
    process.kill()
    raise AssertionError(f"{path} never reached {at_least} lines")


@pytest.mark.parametrize("command", ["generate", pytest.param("run", marks=requires_firejail)])
def test_kill_9_mid_run_then_rerun_resumes_without_asking_twice(
    command: str, builtin: ProblemSet, tmp_path: Path
) -> None:
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    with ModelServer(builtin, token_delay_s=0.004) as server:
        out = tmp_path / ("samples.jsonl" if command == "generate" else "results.jsonl")
        samples = out if command == "generate" else tmp_path / "results.samples.jsonl"
        flags = [
            "--base-url",
            server.url,
            "--model",
            "m",
            "--limit",
            "20",
            "--n",
            "2",
            "--concurrency",
            "2",
            "--out",
            str(out),
        ]
        process = subprocess.Popen([exe, command, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _kill_when(process, samples, 8)
        time.sleep(1.5)  # requests in flight at the kill finish on the server's side (and count as served)
        before = {(r["task_id"], r["completion_id"]) for r in lines(samples)}
        served_before = sum(server.served.values())
        assert 8 <= len(before) < 40
        again = subprocess.run([exe, command, *flags], capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        rows = lines(samples)
        pairs = Counter((r["task_id"], r["completion_id"]) for r in rows)
        assert len(pairs) == 40 and set(pairs.values()) == {1}, "every pair exactly once"
        assert sum(server.served.values()) - served_before == 40 - len(before), "only the missing pairs were asked"
        if command == "run":
            results = lines(out)
            assert len(results) == 40 and all(r["passed"] for r in results)


@requires_firejail
def test_the_library_judges_a_generation_as_it_arrives(
    server: ModelServer, builtin: ProblemSet, tmp_path: Path
) -> None:

    import sigil_eval

    server.script("HumanEval/3", *["500"] * 2)
    settings = sigil_eval.GenerationSettings(base_url=server.url, model="m", n=2, max_retries=1).validate()
    generation = sigil_eval.Generation(list(builtin.problems.values())[:LIMIT], settings, tmp_path / "s.jsonl")

    async def main() -> tuple[list[sigil_eval.Result], list[sigil_eval.Rejection]]:
        async with sigil_eval.Evaluator(builtin, reuse_verdicts=False) as ev:
            return [r async for r in ev.results(generation.samples())], ev.rejections

    results, rejections = anyio.run(main)
    assert len(results) == 2 * (LIMIT - 1) and all(r.passed for r in results)
    assert len(rejections) == 2 and all("generation failed: InternalServerError 500" in r.reason for r in rejections)
    assert generation.stats.errors == 2 and generation.stats.generated == 2 * (LIMIT - 1)


@requires_firejail
def test_a_terminal_sees_both_stages(server: ModelServer, tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    argv = [exe, "run", *generation_flags(server, "--out", str(tmp_path / "r.jsonl"))]
    returncode, screen = on_a_terminal(argv)
    assert returncode == 0
    assert "generating" in screen and "judging" in screen and f"{LIMIT}/{LIMIT}" in screen and "errors 0" in screen

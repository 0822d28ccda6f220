"""Crate tasks from a served model to verdicts: `run` and `generate` against the loopback OpenAI-compatible server
(tests/servers), answers in Aider's whole-file format, the results, the summary and the report page's task table;
a rerun asks for nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigil_eval.crates.task import task_from_row
from sigil_eval.engine.evaluator import resolve_problems

from ..helpers import cli, requires_firejail, write_jsonl
from ..integration.test_crate_judge import ROW
from ..servers.openai_compatible import ModelServer

SECOND = ROW | {
    "slug": "shapes2",
    "cargo_toml": ROW["cargo_toml"].replace('name = "shapes"', 'name = "shapes2"'),
    "tests": {"tests/shapes.rs": ROW["tests"]["tests/shapes.rs"].replace("use shapes::*", "use shapes2::*")},
}


@pytest.fixture
def server() -> Iterator[ModelServer]:
    tasks = [task_from_row(ROW), task_from_row(SECOND)]
    with ModelServer(resolve_problems(None), crate_tasks=tasks) as running:
        yield running


@requires_firejail
def test_run_generates_and_judges_crate_answers_and_draws_the_task_table(server: ModelServer, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    server.wrong.add("shapes2")
    tasks = write_jsonl(tmp_path / "tasks.jsonl", [ROW, SECOND])
    out, page = tmp_path / "results.jsonl", tmp_path / "report.html"
    flags = ["--base-url", server.url, "--model", "m", "--api", "chat", "--n", "2", "--problems", str(tasks)]
    done = cli("run", *flags, "--out", str(out), "--json", "--k", "1,2", "--report", str(page))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["pass_at_k"]["pass@1"] == pytest.approx(0.5) and report["n_samples"] == 4
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["task_id"], r["completion_id"]) for r in results] == [
        ("shapes", 0),
        ("shapes", 1),
        ("shapes2", 0),
        ("shapes2", 1),
    ]
    assert [r["passed"] for r in results] == [True, True, False, False]
    html = page.read_text()
    assert "crate tasks" in html and "<code>shapes2</code>" in html
    assert "<code>a_square_has_four_sides</code> 2" in html  # the stub's failing tests, by name and count
    again = cli("run", *flags, "--out", str(out), "--json", "--k", "1,2")
    assert again.returncode == 0 and sum(server.requests.values()) == 2, "the rerun asks for nothing"
    assert json.loads(again.stdout.strip().splitlines()[-1]) == report  # every verdict from the journal


def test_a_base_model_is_not_asked_for_a_crate(server: ModelServer, tmp_path: Path) -> None:
    tasks = write_jsonl(tmp_path / "tasks.jsonl", [ROW])
    flags = ["--base-url", server.url, "--model", "m", "--problems", str(tasks), "--out", str(tmp_path / "s.jsonl")]
    done = cli("generate", *flags)
    assert done.returncode == 2 and "--api chat" in done.stderr and not server.requests

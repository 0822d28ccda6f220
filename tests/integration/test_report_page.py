"""The report from results files: what it reads, how it pairs runs, what the page and the PNGs hold. Results
files are written here directly (the report reads any results file); the end-to-end test judges real samples."""

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sigil_eval.engine.evaluator import resolve_problems
from sigil_eval.errors import InputError
from sigil_eval.records import Report, Result
from sigil_eval.report.comparison import compare
from sigil_eval.report.page import render_report, write_report
from sigil_eval.report.runs import read_run, rustc_error_keys, summary_path

from ..helpers import RETURN_ONE, cli, write_jsonl

COMPILE_ERROR = (
    "error[E0308]: mismatched types\n --> src.rs:3:5\n  |\n3 |     1.0\n  |     ^^^ expected `i64`, found `f64`\n\n"
    "error: expected one of `,`, `:`, or `}`, found `x`\n --> src.rs:4:1\n\nerror: aborting due to 2 previous errors\n"
)
HOSTILE = "<script>console.error('escaped?')</script></pre><img src=x onerror=alert(1)>"


def result(task: str, index: int, passed: bool, **fields: Any) -> Result:
    error_type = None if passed else fields.pop("error_type", "assertion_failure")
    return Result(
        task_id=task,
        completion="fn f() {}",
        sample_index=index,
        completion_id=fields.pop("completion_id", index),
        compile_ok=error_type != "compile_error",
        passed=passed,
        error_type=error_type,
        result="passed" if passed else f"failed: {error_type}: case 1",
        compile_time_ms=fields.pop("compile_time_ms", 20.0 + index % 7),
        binary_size_bytes=None if error_type == "compile_error" else 300 + 10 * index,
        **fields,
    )


def write_results(path: Path, rates: dict[str, tuple[int, int]], **extra: Any) -> Path:
    """A results file where problem `task` has `passed` passing samples out of `n`."""
    lines = []
    for task, (passed, n) in rates.items():
        for sample in range(n):
            lines.append(result(task, len(lines), sample < passed, completion_id=sample, **extra))
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in lines))
    return path


def test_rustc_error_keys_name_codes_and_uncoded_messages() -> None:
    assert rustc_error_keys(COMPILE_ERROR) == {"E0308", "expected one of"}
    assert rustc_error_keys("") == set()


@pytest.mark.fast
def test_reading_counts_failures_errors_lints_and_an_example(tmp_path: Path) -> None:
    rows = [
        result("a", 0, True, clippy_ok=False, clippy_lints=["clippy::needless_return"]),
        result("a", 1, False, error_type="compile_error", stderr=COMPILE_ERROR),
        result("a", 2, False, error_type="compile_error", stderr=COMPILE_ERROR + HOSTILE),
        result("b", 3, False, error_type="test_timeout"),
    ]
    path = tmp_path / "x_results.jsonl"
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in rows))
    run = read_run(path)
    assert run.label == "x"
    assert run.pass_rate("a") == pytest.approx(1 / 3) and run.pass_rate("b") == 0.0
    assert run.failures["a"].errors == {"compile_error": 2}
    example = run.failures["a"].example
    assert example is not None and example.completion_id == 1 and "E0308" in example.stderr_head
    assert run.rustc_errors == {"E0308": 2, "expected one of": 2}
    assert run.clippy_lints == {"clippy::needless_return": 1}
    assert list(run.compile_ms) == [20.0, 21.0, 22.0, 23.0]
    assert list(run.code_bytes) == [300.0, 330.0]  # compile errors have no code size
    assert run.setting is None and run.summary is None  # no summary beside it


@pytest.mark.fast
def test_a_line_that_is_not_a_result_is_located(tmp_path: Path) -> None:
    path = write_results(tmp_path / "r.jsonl", {"a": (1, 2)})
    with path.open("a") as handle:
        handle.write('{"task_id": "a", "passed": "yes"}\n')
    with pytest.raises(InputError, match=r"r\.jsonl:3: not a result"):
        read_run(path)
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(InputError, match="no results"):
        read_run(tmp_path / "empty.jsonl")


@pytest.mark.fast
def test_comparison_pairs_problems_and_names_the_flips(tmp_path: Path) -> None:
    base = read_run(write_results(tmp_path / "base.jsonl", {"a": (1, 4), "b": (0, 4), "c": (4, 4), "d": (2, 4)}))
    other = read_run(write_results(tmp_path / "other.jsonl", {"a": (0, 4), "b": (3, 4), "c": (4, 4), "e": (1, 4)}))
    comparison = compare(base, other)
    assert comparison.shared == ["a", "b", "c"]
    assert comparison.only_base == ["d"] and comparison.only_other == ["e"]
    assert [m.task_id for m in comparison.solved_by_base_only] == ["a"]
    assert [m.task_id for m in comparison.solved_by_other_only] == ["b"]
    assert [(m.task_id, m.change) for m in comparison.gains] == [("b", 0.75)]
    assert [(m.task_id, m.change) for m in comparison.losses] == [("a", -0.25)]
    assert comparison.pass_at_1.difference.estimate == pytest.approx((0.75 - 0.25) / 3)
    assert comparison.mcnemar_p == 1.0  # one discordant problem each way


@pytest.mark.fast
def test_runs_without_a_common_problem_are_refused(tmp_path: Path) -> None:
    base = read_run(write_results(tmp_path / "base.jsonl", {"a": (1, 1)}))
    other = read_run(write_results(tmp_path / "other.jsonl", {"b": (1, 1)}))
    with pytest.raises(ValueError, match="no problem in common"):
        compare(base, other)


def _svg_ids(page: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', page)


def test_page_holds_headline_charts_problem_table_and_escapes_model_text(tmp_path: Path) -> None:
    rates = {f"T/{i}": (i % 11, 10) for i in range(30)}
    path = write_results(tmp_path / "ckpt_results.jsonl", rates)
    # T/0's first failure (its example) has a stderr of markup: the page must show it as text
    hostile = msgspec.json.encode(result("T/0", 999, False, error_type="runtime_error", stderr=HOSTILE))
    path.write_bytes(hostile + b"\n" + path.read_bytes())
    page = render_report([path], png_dir=tmp_path / "png")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    for chart in ("pass_at_k", "problem_pass_rates", "error_types", "compile_time", "code_size"):
        assert f'id="chart-{chart}"' in page
    assert 'id="chart-rustc_errors"' not in page  # no compile errors: no empty chart
    ids = _svg_ids(page)
    assert len(ids) == len(set(ids)), "ids shared between inline SVGs break clip paths"
    assert page.count("<title>T/") == 30  # a hover title per problem bar
    # pass@1 and pass@10 with intervals; T/0 has 11 samples, the others 10
    assert re.search(r"pass@10</th><td[^>]*>\d\.\d{3} <span class=\"ci\">\[", page)
    assert re.search(r"samples per problem</th><td[^>]*>10–11</td>", page)
    # failures first: the problem with no pass heads the table
    table = page[page.index('id="problems"') :]
    assert table.index("<code>T/0</code>") < table.index("<code>T/10</code>")
    pngs = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert pngs == ["code_size.png", "compile_time.png", "error_types.png", "pass_at_k.png", "problem_pass_rates.png"]
    assert all((tmp_path / "png" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in pngs)
    assert render_report([path]) == page  # the same page from the same files


def test_comparison_page_names_flips_and_warns_about_coverage(tmp_path: Path) -> None:
    base = write_results(tmp_path / "a_results.jsonl", {"HumanEval/0": (1, 1), "HumanEval/1": (0, 1)})
    other = write_results(tmp_path / "b_results.jsonl", {"HumanEval/0": (0, 1), "HumanEval/1": (1, 1)})
    page = render_report([base, other], labels=["step-1k", "step-2k"], problem_set=resolve_problems(None))
    assert "step-2k vs step-1k" in page
    assert "Solved only by step-2k (1)" in page and "Solved only by step-1k (1)" in page
    assert re.search(r'<a href="#problem-\d+">HumanEval/1</a> 0% → 100%', page)
    assert "162 problems of humaneval-rust" in page  # the set's other problems have no result
    assert 'id="chart-changes_1"' in page


def test_labels_of_two_runs_from_same_named_files_differ(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = write_results(tmp_path / "x" / "r.jsonl", {"a": (1, 1)})
    second = write_results(tmp_path / "y" / "r.jsonl", {"a": (0, 1)})
    page = render_report([first, second])
    assert "r (2) vs r" in page


def test_evaluate_writes_summary_and_report_and_the_report_command_agrees(tmp_path: Path) -> None:
    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"task_id": "test_rust/0", "completion": "    1\n}\n"},
            {"task_id": "test_rust/0", "completion": "    2\n}\n"},
            {"task_id": "test_rust/0", "completion": '    "x"\n}\n'},
        ],
    )
    problems = write_jsonl(tmp_path / "p.jsonl", [RETURN_ONE])
    out = tmp_path / "s_results.jsonl"
    page = tmp_path / "page.html"
    done = cli(str(samples), "--problems", str(problems), "--out", str(out), "--report", str(page), "--json")
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.splitlines()[-1])
    summary = msgspec.json.decode(summary_path(out).read_bytes(), type=Report)
    assert summary.rustc_version.startswith("rustc ") and summary.problem_set == "p.jsonl"
    assert summary.pass_at_k == {"pass@1": metrics["pass@1"]}
    html = page.read_text()
    assert f"{metrics['pass@1']:.3f} <span" in html
    assert summary.problem_set_sha256 in html and summary.sandbox in html
    assert "E0308" in html  # the top rustc errors chart names the mismatched-types error
    again = cli("report", str(out), "--problems", str(problems), "--out", str(tmp_path / "again.html"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.html").read_text() == html


def test_report_command_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    missing = cli("report", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "nope.jsonl: no such results file" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    done = cli("report", str(bad))
    assert done.returncode == 2 and "bad.jsonl:1: not a result" in done.stderr
    base = write_results(tmp_path / "a.jsonl", {"a": (1, 1)})
    other = write_results(tmp_path / "b.jsonl", {"b": (1, 1)})
    done = cli("report", str(base), "--compare", str(other))
    assert done.returncode == 2 and "no problem in common" in done.stderr


def test_write_report_replaces_the_page_whole(tmp_path: Path) -> None:
    path = write_results(tmp_path / "r.jsonl", {"a": (1, 2)})
    out = tmp_path / "deep" / "page.html"
    write_report([path], out)
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["page.html"]

"""The journal: resumes only the very same sample at the same line, survives a torn line, writes the results file
in input order from its own lines."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from sigil_eval.outputs.journal import Journal
from sigil_eval.records import Result, Sample

SETTINGS = {"timeout": 10}


def result(index: int, completion: str = "x", passed: bool = True) -> Result:
    return Result(task_id=f"T/{index % 3}", completion=completion, sample_index=index, passed=passed)


def sample(index: int, completion: str = "x") -> Sample:
    return Sample(task_id=f"T/{index % 3}", completion=completion)


def test_results_file_is_in_input_order_and_holds_only_this_runs_lines(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "out.jsonl", SETTINGS)
    journal.open()
    for index in (5, 0, 3, 0):  # 0 judged twice: the later line wins
        journal.append(result(index, passed=index != 0))
    journal.finish()
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["sample_index"] for r in rows] == [0, 3, 5]
    assert rows[0]["passed"] is False
    assert not journal.path.exists()


def test_a_rerun_resumes_the_same_sample_only(tmp_path: Path) -> None:
    first = Journal(tmp_path / "out.jsonl", SETTINGS)
    first.open()
    first.append(result(0))
    first.append(result(1, completion="old"))
    first.close()
    again = Journal(tmp_path / "out.jsonl", SETTINGS)
    again.load()
    assert again.resumes(0, sample(0))
    assert not again.resumes(1, sample(1, completion="new")), "another sample at the same line"
    assert not again.resumes(2, sample(2)), "nothing journaled there"
    assert [msgspec.json.decode(line, type=Result) for line in again.results()] == [result(0)]
    assert again.resumed == 1


def test_a_torn_last_line_is_skipped_and_ended_before_the_next_result(tmp_path: Path) -> None:
    first = Journal(tmp_path / "out.jsonl", SETTINGS)
    first.open()
    first.append(result(0))
    first.close()
    with first.path.open("ab") as handle:  # killed mid-write
        handle.write(b'{"task_id": "T/1", "compl')
    again = Journal(tmp_path / "out.jsonl", SETTINGS)
    again.load()
    assert again.resumes(0, sample(0)) and not again.resumes(1, sample(1))
    again.open()
    again.append(result(1))
    again.close()
    third = Journal(tmp_path / "out.jsonl", SETTINGS)
    third.load()
    assert third.resumes(0, sample(0)) and third.resumes(1, sample(1)), "the result after the torn line is whole"


def test_other_settings_move_the_journal_aside(tmp_path: Path) -> None:
    first = Journal(tmp_path / "out.jsonl", SETTINGS)
    first.open()
    first.append(result(0))
    first.close()
    again = Journal(tmp_path / "out.jsonl", {"timeout": 5})
    again.load()
    assert again.stale == ["timeout"] and not again.resumes(0, sample(0))
    assert Path(f"{again.path}.stale").exists() and not again.path.exists()

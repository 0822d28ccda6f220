"""The samples file of a generation run: a rerun keeps the answers and asks again for what failed or was torn."""

from __future__ import annotations

import json
from pathlib import Path

from sigil_eval.generation.samples_file import SamplesFile
from sigil_eval.inputs.samples import GENERATION_FAILED, sample_from_object
from sigil_eval.records import GeneratedSample


def test_a_rerun_keeps_answers_and_drops_errors_and_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    first = SamplesFile(path)
    first.load()
    first.open()
    assert first.append(GeneratedSample(task_id="T/0", completion_id=0, completion="    1\n}\n")) == 1
    first.append(GeneratedSample(task_id="T/0", completion_id=1, generation_error="APITimeoutError: timed out"))
    first.close()
    with path.open("ab") as handle:
        handle.write(b'{"task_id": "T/1", "completion_id": 0, "compl')  # killed mid-write
    again = SamplesFile(path)
    kept = again.load()
    assert [(s.task_id, s.completion_id) for s in kept] == [("T/0", 0)]
    assert [json.loads(line)["completion_id"] for line in path.read_text().splitlines()] == [0]
    again.open()
    assert again.append(GeneratedSample(task_id="T/0", completion_id=1, completion="    2\n}\n")) == 2
    again.close()
    assert len(SamplesFile(path).load()) == 2


def test_a_generation_error_line_is_a_rejection_for_evaluate() -> None:
    line = {"task_id": "T/0", "completion_id": 3, "generation_error": "InternalServerError 500: boom"}
    reason = sample_from_object(line, None)
    assert reason == f"{GENERATION_FAILED}InternalServerError 500: boom"
    assert sample_from_object({"task_id": "T/0", "completion_id": 3, "completion": "x", "model": "m"}, None) != reason
    struct = GeneratedSample(task_id="T/0", completion_id=3, generation_error="InternalServerError 500: boom")
    assert sample_from_object(struct, None) == reason, "the API takes generation records as they come"

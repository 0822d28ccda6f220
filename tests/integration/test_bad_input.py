"""Bad input never crashes a run: every non-blank input line becomes one result or one located rejection."""

from __future__ import annotations

import json
from pathlib import Path

from ..helpers import RETURN_ONE, cli, requires_firejail, write_jsonl

GOOD = {"task_id": "test_rust/0", "completion": "    1\n}\n"}


@requires_firejail
def test_bad_input_battery(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    huge = {"task_id": "test_rust/0", "completion": "    // " + "x" * (10 << 20) + "\n    1\n}\n"}
    lines: list[bytes] = [
        json.dumps(GOOD).encode(),  # 1 judged
        b"42",  # 2 a number
        b'"a string"',  # 3 a string
        b"[" + json.dumps(GOOD).encode() + b"]",  # 4 an array
        b'{"task_id": "test_rust/0", "completion": "1\\n}", ',  # 5 truncated JSON
        b'{"task_id": "test_rust/0", "completion": "\\u0000"}',  # 6 NUL byte
        b'{"task_id": "test_rust/0", "completion": "\xff\xfe"}',  # 7 invalid UTF-8
        b'{"task_id": 5, "completion": "1"}',  # 8 non-string task id
        b'{"completion": "1"}',  # 9 no task id
        json.dumps(GOOD).encode(),  # 10 duplicate: judged again
        json.dumps(huge).encode(),  # 11 a 10 MB completion: judged
        b'{"task_id": "test_rust/0", "completion": "1", "completion_id": [1]}',  # 12 bad completion_id
    ]
    samples = tmp_path / "bad.jsonl"
    samples.write_bytes(b"\n".join(lines) + b"\n")
    proc = cli(str(samples), "--problems", str(problems), "--json", "--timeout", "20")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    results = [json.loads(line) for line in Path(f"{samples}_results.jsonl").read_text().splitlines()]
    rejected = {r["line"]: r["reason"] for r in report["rejections"]}
    assert len(results) + len(rejected) == len(lines)
    assert [r["sample_index"] + 1 for r in results] == [1, 10, 11]
    assert set(rejected) == {2, 3, 4, 5, 6, 7, 8, 9, 12}
    assert all("expected a JSON object" in rejected[n] for n in (2, 3, 4))
    assert "NUL" in rejected[6] and "'task_id' must be a string" in rejected[8] and "'task_id' missing" in rejected[9]
    assert results[0]["passed"] and results[1]["passed"] and results[2]["passed"]


def test_empty_file_gives_an_empty_report(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "problems.jsonl", [RETURN_ONE])
    samples = tmp_path / "empty.jsonl"
    samples.write_text("\n\n")
    proc = cli(str(samples), "--problems", str(problems), "--json", "--allow-no-sandbox")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["n_samples"] == 0 and report["pass_at_k"] == {} and report["compile_rate"] is None
    assert Path(f"{samples}_results.jsonl").read_text() == ""

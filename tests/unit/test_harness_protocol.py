"""The batch harness's protocol, pinned: the settings `HarnessSettings` writes are the arguments `harness.rs`
reads, in the same order, and the record it prints has exactly `ChildRecord`'s fields (no toolchain needed)."""

from __future__ import annotations

import re

from sigil_eval.runner.batch.source import HARNESS
from sigil_eval.runner.harness_protocol import ChildRecord, HarnessSettings, parse_records

SOURCE = HARNESS.read_text()


def test_the_settings_are_read_in_the_order_they_are_written() -> None:
    body = SOURCE[SOURCE.index("fn config(a: &[u64]) -> Config {") :]
    read = re.findall(r"^\s*(\w+): a\[(\d+)\]", body[: body.index("\n}\n")], re.M)
    assert [name for name, _ in read] == list(HarnessSettings.__struct_fields__)
    assert [int(i) for _, i in read] == list(range(len(read)))
    settings = HarnessSettings(**{name: i + 1 for i, name in enumerate(HarnessSettings.__struct_fields__)})
    assert settings.argv() == [str(i + 1) for i in range(len(read))]
    assert settings.rust_array() == "[" + ", ".join(f"{i + 1}u64" for i in range(len(read))) + "]"


def test_the_record_printed_is_the_record_decoded() -> None:
    line = next(line for line in SOURCE.splitlines() if "SIGIL {{" in line)
    assert line.strip().startswith('"\\nSIGIL {{')  # a record begins a line, whatever was printed before it
    printed = re.findall(r'\\"(\w+)\\":', line)
    assert printed == list(ChildRecord.__struct_fields__)


def test_records_decode_and_a_torn_line_is_skipped() -> None:
    whole = (
        b'SIGIL {"index":3,"exited":true,"code":0,"signal":0,"killed":false,"report":[1,0],"wall_ms":5,'
        b'"output_bytes":2,"output":"6869","values_bytes":0,"values":""}'
    )
    stdout = b"noise\n" + whole + b"\n" + whole[:40].replace(b'"index":3', b'"index":4') + b"\n"
    records = parse_records(stdout)
    assert list(records) == [3]
    assert records[3].report == (1, 0) and records[3].output_text == "hi" and records[3].values_data == b""

"""The batch harness's protocol (`harness.rs`): the settings it is started with, one numeric argument each in
the order of `HarnessSettings`' fields, and the record it prints per child on its own stdout, a line
`SIGIL <json>` decoded as `ChildRecord`. `tests/test_harness_protocol.py` pins both to the Rust source."""

from __future__ import annotations

import msgspec

from sigil_eval.options import EvalOptions
from sigil_eval.program.oracle import VALUES_CAP
from sigil_eval.runner.limits import CHILD_OUTPUT_CAP, TEST_FILE_SIZE, cpu_limit, wall_backstop

RECORD_PREFIX = b"SIGIL "
UID_SWITCH_FAILED = (2**64 - 1, 2**64 - 1)  # the report of a child that could not take its uid


class HarnessSettings(msgspec.Struct, frozen=True, kw_only=True):
    cpu_seconds: int  # RLIMIT_CPU of each child
    wall_ms: int  # each child's wall-clock backstop (an alarm, then SIGKILL a second later)
    children: int  # children at once
    uid_base: int  # children run as uid_base + their slot; 0: no switch
    address_space: int  # RLIMIT_AS of each child
    processes: int  # RLIMIT_NPROC of each child's uid
    file_size: int  # RLIMIT_FSIZE
    output_cap: int  # bytes of a child's stdout+stderr kept
    values_cap: int  # bytes of a child's oracle values kept

    def argv(self) -> list[str]:
        return [str(getattr(self, name)) for name in self.__struct_fields__]

    def rust_array(self) -> str:
        """The settings as the isolated path compiles them in (`run_with(&[…], …)`)."""
        return "[" + ", ".join(f"{getattr(self, name)}u64" for name in self.__struct_fields__) + "]"


def harness_settings(options: EvalOptions, *, children: int, uid_base: int) -> HarnessSettings:
    """The harness's settings for a run under `options`, in either path."""
    budget = options.run_budget
    return HarnessSettings(
        cpu_seconds=cpu_limit(budget),
        wall_ms=int(wall_backstop(budget) * 1000),
        children=children,
        uid_base=uid_base,
        address_space=options.run_memory,
        processes=options.run_processes,
        file_size=TEST_FILE_SIZE,
        output_cap=CHILD_OUTPUT_CAP,
        values_cap=VALUES_CAP,
    )


class ChildRecord(msgspec.Struct, frozen=True):
    index: int  # the sample's index in the run
    exited: bool  # exited (else killed by a signal)
    code: int  # exit code, -1 when killed
    signal: int  # the signal that ended it, 0 when it exited
    killed: bool  # by the harness's wall-clock backstop
    report: tuple[int, int] | None  # (passed, failed) tests, from the private report pipe with the child's token
    wall_ms: int
    output_bytes: int  # all it wrote; `output` holds at most output_cap bytes of it
    output: str  # hex
    values_bytes: int
    values: str  # hex
    spawn_failed: bool = False  # the harness could not fork the child: infrastructure, never the sample's verdict

    @property
    def output_text(self) -> str:
        return bytes.fromhex(self.output).decode("utf-8", errors="replace")

    @property
    def values_data(self) -> bytes:
        return bytes.fromhex(self.values)


_decoder = msgspec.json.Decoder(ChildRecord)


def parse_records(stdout: bytes) -> dict[int, ChildRecord]:
    """The records in the harness's stdout, by sample index (a line that is not a whole record is skipped: the
    sample it belonged to then has none and is judged again alone)."""
    records: dict[int, ChildRecord] = {}
    for line in stdout.splitlines():
        if line.startswith(RECORD_PREFIX):
            try:
                record = _decoder.decode(line[len(RECORD_PREFIX) :])
            except msgspec.DecodeError:
                continue
            records[record.index] = record
    return records

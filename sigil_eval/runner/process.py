"""Run one command under limits: capped output, a wall-clock backstop that kills the whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.abc import ByteReceiveStream


@dataclass(frozen=True, slots=True)
class ProcessOutcome:
    returncode: int
    signal: int | None  # the signal that ended the program, if any
    stdout: bytes
    stderr: bytes
    wall_ms: float
    wall_timeout: bool  # killed by our wall-clock backstop
    truncated: bool  # output beyond the cap was discarded

    @property
    def cpu_limit_hit(self) -> bool:
        """RLIMIT_CPU's soft limit sends SIGXCPU. A bare SIGKILL is not taken as a timeout: our own wall
        kill is `wall_timeout`, and a sample can SIGKILL itself (`kill -9 -1`)."""
        return self.signal == signal.SIGXCPU

    @property
    def timed_out(self) -> bool:
        return self.wall_timeout or self.cpu_limit_hit


class _CappedBuffer:
    """Keeps the first and the last `cap / 2` bytes of a stream: the start says what went wrong, the end
    holds libtest's summary."""

    def __init__(self, cap: int) -> None:
        self.half = max(1, cap // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def add(self, chunk: bytes) -> None:
        room = self.half - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        self.tail += chunk
        excess = len(self.tail) - self.half
        if excess > 0:
            del self.tail[:excess]
            self.dropped += excess

    def value(self) -> bytes:
        if not self.dropped:
            return bytes(self.head + self.tail)
        return bytes(self.head) + f"\n[... {self.dropped} bytes dropped ...]\n".encode() + bytes(self.tail)


async def _drain(stream: ByteReceiveStream | None, sink: _CappedBuffer) -> None:
    if stream is None:
        return
    try:
        async for chunk in stream:
            sink.add(chunk)
    except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_limited(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    wall_timeout: float,
    output_cap: int = 64 * 1024,
    signal_in_exit_code: bool = False,
    stdin: int | None = None,
) -> ProcessOutcome:
    """Run `argv` in a new session with stdin from /dev/null (or the file descriptor `stdin`); kill its process
    group after `wall_timeout` seconds.

    `signal_in_exit_code`: the wrapper (firejail) reports a child killed by signal N as exit code 128+N.
    """
    out, err = _CappedBuffer(output_cap), _CappedBuffer(output_cap)
    started = time.perf_counter()
    with anyio.CancelScope(shield=True):  # a start cut short by a cancellation would leak its pipes
        process = await anyio.open_process(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    timed_out = False
    try:
        with anyio.move_on_after(wall_timeout) as scope:
            async with anyio.create_task_group() as group:
                group.start_soon(_drain, process.stdout, out)
                group.start_soon(_drain, process.stderr, err)
                await process.wait()
        if scope.cancelled_caught:
            timed_out = True
            _kill_group(process.pid)
    finally:
        if process.returncode is None:
            _kill_group(process.pid)
        with anyio.CancelScope(shield=True):
            await process.wait()
            await process.aclose()
    code = process.returncode if process.returncode is not None else -signal.SIGKILL
    sig: int | None = None
    if code < 0:
        sig = -code
    elif signal_in_exit_code and code > 128:
        sig = code - 128
    return ProcessOutcome(
        returncode=code,
        signal=sig,
        stdout=out.value(),
        stderr=err.value(),
        wall_ms=(time.perf_counter() - started) * 1000,
        wall_timeout=timed_out,
        truncated=out.truncated or err.truncated,
    )

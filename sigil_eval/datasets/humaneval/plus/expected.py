"""Expected values from OpenAI's Python canonical solution, run on the grown inputs in a subprocess of its own:
isolated Python (`-I`), CPU, memory and file-size limits (prlimit), no network (firejail, when installed), a time
limit per input. Inputs and results travel as Python literals (`repr` / `ast.literal_eval`), so tuples, dict keys
and floats come back exactly; a result that is no literal (a float infinity, an object) counts as no result."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sigil_eval.tool_paths import find_tool

PER_INPUT_SECONDS = 1.0  # the canonical solution's wall time per input (HumanEval's run in microseconds)
CPU_SECONDS = 60  # the subprocess as a whole
MEMORY = 2 << 30

# reads the program, then one input per line; writes one line per input: "ok <seconds> <repr>" or "no <why>"
_RUNNER = r"""
import ast, signal, sys, time
namespace = {}
exec(sys.stdin.readline().encode().decode("unicode_escape"), namespace)
function = namespace[sys.argv[1]]
limit = float(sys.argv[2])
class Slow(BaseException):
    pass
def alarm(*_):
    raise Slow()
signal.signal(signal.SIGALRM, alarm)
for line in sys.stdin:
    args = ast.literal_eval(line)
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        result = function(*args)
        outcome = f"ok {time.perf_counter() - started!r} {result!r}"
    except Slow:
        outcome = "no timeout"
    except BaseException as exc:
        outcome = f"no raised {type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(outcome, flush=True)  # a repr holds no line break
"""


@dataclass(frozen=True, slots=True)
class Expected:
    """The canonical solution on one input: its result and wall seconds, or why there is none."""

    args: tuple[Any, ...]
    result: Any = None
    seconds: float = 0.0
    failure: str = ""  # "timeout", "raised ValueError", "not a literal"; empty when `result` holds


def _command(entry_point: str) -> list[str]:
    python = [sys.executable, "-I", "-S", "-c", _RUNNER, entry_point, repr(PER_INPUT_SECONDS)]
    limits = [f"--cpu={CPU_SECONDS}", f"--as={MEMORY}", f"--fsize={1 << 20}", "--core=0"]
    prlimit = find_tool("prlimit")
    limited = [prlimit, *limits, "--", *python] if prlimit else python
    firejail = find_tool("firejail")
    return [firejail, "--quiet", "--noprofile", "--net=none", "--", *limited] if firejail else limited


def expected_values(program: str, entry_point: str, inputs: Sequence[tuple[Any, ...]]) -> list[Expected]:
    """Run `program` (prompt + canonical solution) on every input, in order, in one subprocess."""
    if not inputs:
        return []
    stdin = program.encode("unicode_escape").decode() + "\n" + "".join(repr(args) + "\n" for args in inputs)
    wall = CPU_SECONDS + PER_INPUT_SECONDS * len(inputs) + 10
    process = subprocess.run(
        _command(entry_point), input=stdin, capture_output=True, text=True, timeout=wall, check=False
    )
    lines = process.stdout.splitlines()
    if len(lines) != len(inputs):
        last = (process.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{entry_point}: the canonical solution's runner stopped after {len(lines)} inputs: {last}")
    return [_read(args, line) for args, line in zip(inputs, lines, strict=True)]


def _read(args: tuple[Any, ...], line: str) -> Expected:
    if line.startswith("no "):
        return Expected(args, failure=line[3:])
    _, seconds, text = line.split(" ", 2)
    try:
        result = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return Expected(args, failure="not a literal")
    return Expected(args, result=result, seconds=float(seconds))

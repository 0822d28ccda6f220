"""Expected values from OpenAI's Python canonical solution, run on the grown inputs in a subprocess of its own:
isolated Python (`-I`), CPU, memory and file-size limits (prlimit), no network (firejail, when installed), a work
limit per input. Inputs and results travel as Python literals (`repr` / `ast.literal_eval`), so tuples, dict keys
and floats come back exactly; a result that is no literal (a float infinity, an object) counts as no result."""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from sigil_eval.tool_paths import find_tool

PER_INPUT_SECONDS = 5.0  # the canonical solution's wall time per input, a backstop (HumanEval's run in microseconds)
# the canonical solution's work per input, in trace events: an input that needs more is dropped (its plus test would
# be a benchmark of the answer's complexity on one huge input); HumanEval's inputs need tens to thousands
MOST_STEPS = 20_000
CPU_SECONDS = 60  # the subprocess as a whole
MEMORY = 2 << 30

# reads the program, then one input per line; writes one line per input: "ok <seconds> <repr>" or "no <why>"
# reads the program, then one input per line; writes one line per input: "ok <steps> <repr>" or "no <why>". Work is
# counted in trace events (calls, lines, returns), not seconds, so that which inputs are kept does not depend on
# how loaded the machine is: the same inputs every build. The wall-clock limit only stops a runaway in C code.
# the wall-clock backstop both runners (this one and `reduce`'s) share: SIGALRM raises `Slow`
ALARM = r"""
import signal
class Slow(BaseException):
    pass
def alarm(*_):
    raise Slow()
signal.signal(signal.SIGALRM, alarm)
"""
_RUNNER = (
    ALARM
    + r"""
import ast, sys
namespace = {}
exec(sys.stdin.readline().encode().decode("unicode_escape"), namespace)
function = namespace[sys.argv[1]]
limit, most = float(sys.argv[2]), int(sys.argv[3])
steps = 0
def count(frame, event, arg):
    global steps
    steps += 1
    if steps > most:
        raise Slow()  # raised again at every later event: a canonical's `except` cannot keep it running
    return count
for line in sys.stdin:
    args = ast.literal_eval(line)
    steps = 0
    signal.setitimer(signal.ITIMER_REAL, limit)
    sys.settrace(count)
    try:
        result = function(*args)
        sys.settrace(None)
        outcome = "no too slow" if steps > most else f"ok {steps} {result!r}"
    except Slow:
        sys.settrace(None)
        outcome = "no too slow"
    except BaseException as exc:
        sys.settrace(None)
        outcome = f"no raised {type(exc).__name__}"
    finally:
        sys.settrace(None)
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(outcome, flush=True)  # a repr holds no line break
"""
)


@dataclass(frozen=True, slots=True)
class Expected:
    """The canonical solution on one input: its result and wall seconds, or why there is none."""

    args: tuple[Any, ...]
    result: Any = None
    steps: int = 0  # the work it took, in trace events
    failure: str = ""  # "too slow", "raised ValueError", "not a literal"; empty when `result` holds


def command(runner: str, *args: str, cpu_seconds: int = CPU_SECONDS) -> list[str]:
    """`runner` (Python source) run apart: isolated Python, limits, no network."""
    python = [sys.executable, "-I", "-S", "-c", runner, *args]
    limits = [f"--cpu={cpu_seconds}", f"--as={MEMORY}", f"--fsize={1 << 20}", "--core=0"]
    prlimit = find_tool("prlimit")
    limited = [prlimit, *limits, "--", *python] if prlimit else python
    firejail = find_tool("firejail")
    return [firejail, "--quiet", "--noprofile", "--net=none", "--", *limited] if firejail else limited


async def expected_values(program: str, entry_point: str, inputs: Sequence[tuple[Any, ...]]) -> list[Expected]:
    """Run `program` (prompt + canonical solution) on every input, in order, in one subprocess."""
    if not inputs:
        return []
    stdin = program.encode("unicode_escape").decode() + "\n" + "".join(repr(args) + "\n" for args in inputs)
    with anyio.fail_after(CPU_SECONDS + PER_INPUT_SECONDS * len(inputs) + 10):
        runner = command(_RUNNER, entry_point, repr(PER_INPUT_SECONDS), str(MOST_STEPS))
        process = await anyio.run_process(runner, input=stdin.encode(), check=False)
    lines = process.stdout.decode().splitlines()
    if len(lines) != len(inputs):
        last = (process.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{entry_point}: the canonical solution's runner stopped after {len(lines)} inputs: {last}")
    return [_read(args, line) for args, line in zip(inputs, lines, strict=True)]


def _read(args: tuple[Any, ...], line: str) -> Expected:
    if line.startswith("no "):
        return Expected(args, failure=line[3:])
    _, steps, text = line.split(" ", 2)
    try:
        result = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return Expected(args, failure="not a literal")
    return Expected(args, result=result, steps=int(steps))

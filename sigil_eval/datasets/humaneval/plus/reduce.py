"""The reduced plus suite (`--tests plus-mini`): the plus inputs that tell wrong answers apart, chosen by what
they reach in the canonical solution and by the mutants they kill (as EvalPlus's HumanEval+-mini).

Mutants of OpenAI's Python canonical solution, one small change each (`+` for `-`, `<` for `<=`, `and` for `or`, a
constant off by one, a `not` dropped), and the canonical solution itself with its coverage traced (line-to-line
arcs), run on every base and plus input in one sandboxed subprocess (`expected`'s limits). Goals: every mutant the
base inputs do not kill and a plus input does, every arc no base input reaches and a plus input does. Kept: the
fewest plus inputs that meet every goal (greedy set cover, lowest index on ties: the same every build).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

import anyio

from sigil_eval.datasets.humaneval.plus.expected import ALARM, CPU_SECONDS, MOST_STEPS, PER_INPUT_SECONDS, command

MOST_MUTANTS = 32  # per problem, taken evenly over its mutation sites
# besides what the goals choose, the first plus inputs in build order: HumanEval's base inputs already kill most
# first-order mutants and reach every arc, and an answer special-cased on the examples a prompt shows must still
# meet inputs it has not seen
MINI_FLOOR = 8

_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
    ast.Mod: ast.FloorDiv,
    ast.FloorDiv: ast.Mod,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, str, Any]]:
    """(node, field, replacement) for every single change a mutant can make, in source order."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.BoolOp) and type(node.op) in _SWAPS:
            yield node, "op", _SWAPS[type(node.op)]()
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _SWAPS:
            yield node, "ops", [_SWAPS[type(node.ops[0])]()]
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            yield node, "value", node.value + 1
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "op", ast.UAdd()  # `+x` for `not x`: truthiness kept, negation dropped


def mutants(program: str) -> list[str]:
    """Mutated sources of `program`, one change each (at most MOST_MUTANTS, spread over the sites)."""
    tree = ast.parse(program)
    sites = list(_sites(tree))
    step = max(1, -(-len(sites) // MOST_MUTANTS))
    found = []
    for node, name, replacement in sites[::step]:
        original = getattr(node, name)
        setattr(node, name, replacement)
        try:
            found.append(ast.unparse(tree))
        finally:
            setattr(node, name, original)
    return found


# reads the entry point, the programs (one JSON string per line, then a blank line), then one line per input:
# [args, expected]; writes one line per program: a JSON list of the inputs (by position) it gets wrong
_RUNNER = (
    ALARM
    + r"""
import json, math, signal, sys
entry, limit, most = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
programs = []
for line in sys.stdin:
    if not line.strip():
        break
    programs.append(json.loads(line))
cases = [json.loads(line) for line in sys.stdin]
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, abs_tol=1e-6)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        both = isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
        return both and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
steps = 0
arcs = None  # the canonical solution's run: the (line, next line) pairs it takes, as coverage
last = 0
def count(frame, event, arg):
    global steps, last
    steps += 1
    if steps > most:
        raise Slow()
    if arcs is not None and event == "line" and frame.f_code.co_filename == "<string>":
        arcs.add((last, frame.f_lineno))
        last = frame.f_lineno
    return count
def plain(value):
    if isinstance(value, dict):
        return [[plain(k), plain(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
for number, program in enumerate(programs):
    wrong = []
    covered = []
    try:
        namespace = {}
        exec(program, namespace)
        function = namespace[entry]
    except BaseException:
        print(json.dumps(list(range(len(cases)))), flush=True)
        continue
    for i, (args, expected) in enumerate(cases):
        steps, last = 0, 0
        arcs = set() if number == 0 else None
        signal.setitimer(signal.ITIMER_REAL, limit)
        sys.settrace(count)
        try:
            result = function(*args)
            sys.settrace(None)
            if steps > most or not same(plain(result), expected):
                wrong.append(i)
        except BaseException:
            sys.settrace(None)
            wrong.append(i)
        finally:
            sys.settrace(None)
            signal.setitimer(signal.ITIMER_REAL, 0)
        if arcs is not None:
            covered.append(sorted(arcs))
    print(json.dumps(covered if number == 0 else wrong), flush=True)
"""
)


async def killed(
    canonical: str, programs: list[str], entry_point: str, inputs: list[tuple[tuple[Any, ...], Any]]
) -> tuple[list[set[tuple[int, int]]], list[set[int]]]:
    """The canonical solution's coverage on each input (its line-to-line arcs), and for each mutant the inputs
    (by position) on which it does not give the expected value."""
    programs = [canonical, *programs]
    cases = "".join(json.dumps([list(_plain(args)), _plain(result)]) + "\n" for args, result in inputs)
    stdin = "".join(json.dumps(p) + "\n" for p in programs) + "\n" + cases
    cpu = CPU_SECONDS * 4  # every mutant on every input: most stop at the work limit long before
    runner = command(_RUNNER, entry_point, str(PER_INPUT_SECONDS), str(MOST_STEPS), cpu_seconds=cpu)
    with anyio.fail_after(cpu + PER_INPUT_SECONDS * len(inputs) * len(programs) + 10):
        process = await anyio.run_process(runner, input=stdin.encode(), check=False)
    lines = process.stdout.decode().splitlines()
    if len(lines) != len(programs):
        last = (process.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{entry_point}: the mutants' runner stopped after {len(lines)} programs: {last}")
    coverage = [{(a, b) for a, b in arcs} for arcs in json.loads(lines[0])]
    return coverage, [set(json.loads(line)) for line in lines[1:]]


def _plain(value: Any) -> Any:
    """As JSON holds it, the way the runner compares (tuples and dicts as lists)."""
    if isinstance(value, dict):
        return [[_plain(k), _plain(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def mini(row: dict[str, Any], source_row: dict[str, Any]) -> list[int]:
    """The reduced suite of a plus inputs row (indices into its `plus`)."""
    from sigil_eval.datasets.humaneval.plus.build import inputs_of_row

    base, plus = inputs_of_row(row)
    program = source_row["prompt"] + source_row["canonical_solution"]
    inputs = [(item.args, item.result) for item in base + plus]
    coverage, kills = await killed(program, mutants(program), source_row["entry_point"], inputs)
    return sorted(set(cover(coverage, kills, len(base))) | set(range(min(MINI_FLOOR, len(plus)))))


def cover(coverage: list[set[tuple[int, int]]], kills: list[set[int]], first_plus: int) -> list[int]:
    """The fewest plus inputs (indices from `first_plus`, returned relative to it) that reach every arc of the
    canonical solution and kill every mutant the base inputs do not, where a plus input does; greedy, lowest
    index on ties."""
    base_arcs = set().union(*coverage[:first_plus]) if first_plus else set()
    goals: list[set[int]] = [k for k in kills if k and not any(i < first_plus for i in k)]
    for arc in sorted(set().union(*coverage[first_plus:]) - base_arcs) if coverage[first_plus:] else []:
        goals.append({i for i in range(first_plus, len(coverage)) if arc in coverage[i]})
    chosen: list[int] = []
    while goals:
        counts: dict[int, int] = {}
        for goal in goals:
            for i in goal:
                counts[i] = counts.get(i, 0) + 1
        best = min(counts, key=lambda i: (-counts[i], i))
        chosen.append(best - first_plus)
        goals = [goal for goal in goals if best not in goal]
    return sorted(chosen)

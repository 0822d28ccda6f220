"""The plus inputs of one HumanEval problem, and a plus variant of the built-in set to check them with.

For each problem: its base inputs (the calls OpenAI's check makes, `record`), a domain read off them (`domain`),
inputs grown by mutation inside it (`mutate`, seeded by the task id: the same inputs every build), the Python
canonical solution's value on each (`expected`, sandboxed), and only the inputs whose arguments and value fit
our Rust signature (an i64 that overflows, a non-finite float, a value of another type is dropped). Every input
left out is counted by why, so no drop is silent.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sigil_eval.datasets.humaneval import record
from sigil_eval.datasets.humaneval.build import build_row, reference_solutions
from sigil_eval.datasets.humaneval.plus.domain import Domain
from sigil_eval.datasets.humaneval.plus.expected import expected_values
from sigil_eval.datasets.humaneval.plus.mutate import grow
from sigil_eval.datasets.humaneval.render import parse_signature
from sigil_eval.datasets.humaneval.signatures import SPECS
from sigil_eval.program import oracle
from sigil_eval.program.rust_types import literal

PLUS_INPUTS = 40  # inputs wanted per problem beyond the base ones
CANDIDATES_PER_INPUT = 3  # grown inside the domain for each input wanted, before the canonical solution and the types
# filter them
# an input on which the canonical solution takes longer is dropped: its value is timing-bound near the limit, and
# a plus test must not be a benchmark of the answer's complexity on one huge input
SLOW_INPUT_SECONDS = 0.05


@dataclass(slots=True)
class PlusInputs:
    task_id: str
    calls: list[record.Call] = field(default_factory=list)  # in our Rust types (adapted)
    dropped: Counter[str] = field(default_factory=Counter)  # why candidates were left out
    slowest: float = 0.0  # the canonical solution's slowest kept input, in seconds


def plus_inputs(row: dict[str, Any], wanted: int = PLUS_INPUTS) -> PlusInputs:
    """The plus inputs of HumanEval row `row` (OpenAI's prompt, canonical solution, check)."""
    number = int(row["task_id"].split("/")[1])
    spec = SPECS[number]
    signature = parse_signature(spec.signature)
    base = [call.args for call in record.record_calls(row)]
    domain = Domain.of(base)
    grown = CANDIDATES_PER_INPUT * wanted
    candidates = grow(base, random.Random(f"{row['task_id']} plus"), wanted=grown, keep=domain.admits)
    found = PlusInputs(row["task_id"])
    if len(candidates) < grown:
        found.dropped["the domain holds no more"] += grown - len(candidates)
    program = row["prompt"] + row["canonical_solution"]
    for expected in expected_values(program, row["entry_point"], candidates):
        if len(found.calls) == wanted:
            found.dropped["enough"] += 1
            continue
        if expected.failure:
            found.dropped[f"canonical: {expected.failure}"] += 1
            continue
        if expected.seconds > SLOW_INPUT_SECONDS:
            found.dropped["canonical: slow"] += 1
            continue
        args, result = spec.adapt(expected.args, expected.result)
        try:
            signature.call(args)
            literal(result, signature.result)  # the in-process test's expected value
            oracle.canonical(result, signature.result)
            if spec.property_check is None:
                oracle.result_type(str(signature.result))
        except (ValueError, TypeError):
            found.dropped["does not fit the Rust types"] += 1
            continue
        found.calls.append(record.Call(args, result))
        found.slowest = max(found.slowest, expected.seconds)
    return found


def plus_rows(source: bytes, wanted: int = PLUS_INPUTS) -> tuple[list[dict[str, Any]], list[PlusInputs]]:
    """The built-in set's rows with their cases (or in-process tests) extended by the plus inputs, and what was
    found per problem. A row with cases gains `plus_from`: the index of its first plus case."""
    solutions = reference_solutions()
    rows = [json.loads(line) for line in gzip.decompress(source).decode().splitlines() if line.strip()]
    built, found = [], []
    for row in rows:
        plus = plus_inputs(row, wanted)
        spec = SPECS[int(row["task_id"].split("/")[1])]
        grown = build_row(row, spec, solutions[row["task_id"]], extra_calls=plus.calls)
        if "cases" in grown:
            grown["plus_from"] = len(grown["cases"]) - len(plus.calls)
        built.append(grown)
        found.append(plus)
    return built, found

"""The plus inputs of one HumanEval problem, and a plus variant of the built-in set to check them with.

For each problem: its base inputs (the calls OpenAI's check makes, `record`), a domain read off them (`domain`),
inputs grown by mutation inside it (`mutate`, seeded by the task id: the same inputs every build), the Python
canonical solution's value on each (`expected`, sandboxed), and only the inputs whose arguments and value fit
our Rust signature (an i64 that overflows, a non-finite float, a value of another type is dropped). Every input
left out is counted by why, so no drop is silent. Stored as Python values in a neutral form (`values`), to be
rendered into each set's types (`render`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sigil_eval.datasets.humaneval import record
from sigil_eval.datasets.humaneval.plus.contracts import within_contract
from sigil_eval.datasets.humaneval.plus.domain import Domain
from sigil_eval.datasets.humaneval.plus.expected import expected_values
from sigil_eval.datasets.humaneval.plus.mutate import grow
from sigil_eval.datasets.humaneval.plus.render import PlusInput
from sigil_eval.datasets.humaneval.plus.values import from_neutral, to_neutral
from sigil_eval.datasets.humaneval.render import parse_signature
from sigil_eval.datasets.humaneval.signatures import SPECS
from sigil_eval.program import oracle
from sigil_eval.program.rust_types import literal

PLUS_INPUTS = 40  # inputs wanted per problem beyond the base ones
CANDIDATES_PER_INPUT = 3  # grown inside the domain for each input wanted, before the canonical solution and the types
# filter them


@dataclass(slots=True)
class PlusInputs:
    task_id: str
    base: list[PlusInput] = field(default_factory=list)  # the calls OpenAI's check makes, as Python values
    plus: list[PlusInput] = field(default_factory=list)  # as Python values (before our adapter)
    dropped: Counter[str] = field(default_factory=Counter)  # why candidates were left out
    most_steps: int = 0  # the canonical solution's work on its costliest kept input (`expected.MOST_STEPS`)

    def row(self) -> dict[str, Any]:
        """The stored form: language-neutral values (`values`)."""
        return {
            "task_id": self.task_id,
            "base": [[to_neutral(i.args), to_neutral(i.result)] for i in self.base],
            "plus": [[to_neutral(i.args), to_neutral(i.result)] for i in self.plus],
            "most_steps": self.most_steps,
        }


def inputs_of_row(row: dict[str, Any]) -> tuple[list[PlusInput], list[PlusInput]]:
    """(base, plus) inputs of a stored row."""
    return (
        [PlusInput(tuple(from_neutral(args)), from_neutral(result)) for args, result in row["base"]],
        [PlusInput(tuple(from_neutral(args)), from_neutral(result)) for args, result in row["plus"]],
    )


async def plus_inputs(row: dict[str, Any], wanted: int = PLUS_INPUTS) -> PlusInputs:
    """The plus inputs of HumanEval row `row` (OpenAI's prompt, canonical solution, check)."""
    number = int(row["task_id"].split("/")[1])
    spec = SPECS[number]
    signature = parse_signature(spec.signature)
    recorded = record.record_calls(row)
    base = [call.args for call in recorded]
    domain = Domain.of(base)
    grown = CANDIDATES_PER_INPUT * wanted

    def keep(args: tuple[Any, ...]) -> bool:
        return domain.admits(args) and within_contract(number, args)

    candidates = grow(base, random.Random(f"{row['task_id']} plus"), wanted=grown, keep=keep)
    found = PlusInputs(row["task_id"], base=[PlusInput(call.args, call.result) for call in recorded])
    if len(candidates) < grown:
        found.dropped["the domain holds no more"] += grown - len(candidates)
    program = row["prompt"] + row["canonical_solution"]
    for expected in await expected_values(program, row["entry_point"], candidates):
        if len(found.plus) == wanted:
            found.dropped["enough"] += 1
            continue
        if expected.failure:
            found.dropped[f"canonical: {expected.failure}"] += 1
            continue
        args, result = spec.adapt(expected.args, expected.result)
        try:
            to_neutral((expected.args, expected.result))
            signature.call(args)
            literal(result, signature.result)  # the in-process test's expected value
            oracle.canonical(result, signature.result)
            if spec.property_check is None:
                oracle.result_type(str(signature.result))
        except (ValueError, TypeError):
            found.dropped["does not fit the Rust types"] += 1
            continue
        found.plus.append(PlusInput(expected.args, expected.result))
        found.most_steps = max(found.most_steps, expected.steps)
    return found

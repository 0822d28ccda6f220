"""Record the (arguments, result) pairs OpenAI's `check()` feeds a candidate, by running the Python canonical
solution under the original check with an instrumented candidate."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any

# The check()s that draw random inputs use the module-level `random`; seeding it makes the recording
# (and so the generated tests) identical across builds.
RECORD_SEED = 20261125


@dataclass(frozen=True, slots=True)
class Call:
    args: tuple[Any, ...]
    result: Any


def record_calls(row: dict[str, Any]) -> list[Call]:
    """Every distinct call the check makes to the candidate, in order; raises if the canonical fails its check."""
    namespace: dict[str, Any] = {}
    exec(row["prompt"] + row["canonical_solution"], namespace)  # OpenAI's own reference code
    exec(row["test"], namespace)
    function = namespace[row["entry_point"]]
    calls: list[Call] = []
    seen: set[str] = set()

    def candidate(*args: Any) -> Any:
        before = copy.deepcopy(args)
        result = function(*args)
        key = repr(before)
        if key not in seen:
            seen.add(key)
            calls.append(Call(before, copy.deepcopy(result)))
        return result

    state = random.getstate()
    random.seed(RECORD_SEED)
    try:
        namespace["check"](candidate)
    finally:
        random.setstate(state)
    return calls

"""Type-aware mutation of Python values, as EvalPlus grows HumanEval+ (its `type_mut`): integers ±1 and to the
boundaries of their kind, floats perturbed and scaled, bools flipped, lists with an element inserted, deleted,
duplicated or replaced, strings with a character inserted or replaced or a piece repeated, dicts with an entry
added, removed or changed, tuples element by element. Deterministic for a seeded `random.Random`."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from typing import Any

MAX_STEPS = 5  # mutation steps applied to one seed input (EvalPlus: 1–5)
SMALL_INTS = (-1, 0, 1, 2)
ALPHABET = string.ascii_letters + string.digits + " .,!?-_"


def mutate_value(value: Any, rng: random.Random, pool: Sequence[Any] = ()) -> Any:
    """One mutation step of `value`; `pool` holds other values of the same place (elements to insert come from
    there first, so a list of words gains words, not noise)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return _mutate_int(value, rng)
    if isinstance(value, float):
        return _mutate_float(value, rng)
    if isinstance(value, str):
        return _mutate_str(value, rng, pool)
    if isinstance(value, list):
        elements = [element for other in pool if isinstance(other, list) for element in other]
        return _mutate_list(value, rng, elements)
    if isinstance(value, tuple):
        if not value:
            return value
        position = rng.randrange(len(value))
        return (*value[:position], mutate_value(value[position], rng), *value[position + 1 :])
    if isinstance(value, dict):
        return _mutate_dict(value, rng)
    return value  # None and anything else: nothing to vary


def _mutate_int(value: int, rng: random.Random) -> int:
    choice = rng.randrange(5)
    if choice == 0:
        return value + 1
    if choice == 1:
        return value - 1
    if choice == 2:
        return rng.choice(SMALL_INTS)
    if choice == 3:
        return value * 2 if value else 1
    return value + rng.randint(-10, 10)


def _mutate_float(value: float, rng: random.Random) -> float:
    if rng.random() < 0.5:
        return value + rng.uniform(-1, 1)
    return value * (1 + rng.uniform(-0.5, 0.5))


def _mutate_str(value: str, rng: random.Random, pool: Sequence[Any]) -> str:
    texts = [text for text in (value, *pool) if isinstance(text, str)]
    if any(" " in text for text in texts) and rng.random() < 0.5:  # words: mutate the list of tokens
        tokens = [token for text in texts for token in text.split(" ")]
        return " ".join(_mutate_list(value.split(" "), rng, tokens))
    chars = "".join(sorted({c for text in (value, *pool) if isinstance(text, str) for c in text})) or ALPHABET
    choice = rng.randrange(4)
    if choice == 0 or not value:  # insert
        position = rng.randrange(len(value) + 1)
        return value[:position] + rng.choice(chars) + value[position:]
    position = rng.randrange(len(value))
    if choice == 1:  # replace
        return value[:position] + rng.choice(chars) + value[position + 1 :]
    if choice == 2:  # delete
        return value[:position] + value[position + 1 :]
    end = rng.randrange(position, len(value)) + 1  # repeat a piece
    return value[:end] + value[position:end] + value[end:]


def _mutate_list(value: list[Any], rng: random.Random, pool: Sequence[Any] = ()) -> list[Any]:
    """`pool`: other elements of this place; an element inserted or put in place comes from there half the time
    (a list of operators gains an operator), else it is a mutated neighbour."""
    if not value:
        return [rng.choice(pool)] if pool else value
    position = rng.randrange(len(value))
    choice = rng.randrange(4)
    if pool and choice in (0, 3) and rng.random() < 0.5:
        element = rng.choice(pool)
        return [*value[:position], element, *value[position + (choice == 3) :]]
    if choice == 0:  # insert a mutated element
        return [*value[:position], mutate_value(value[position], rng, value), *value[position:]]
    if choice == 1:  # delete
        return value[:position] + value[position + 1 :]
    if choice == 2:  # duplicate
        return [*value[: position + 1], value[position], *value[position + 1 :]]
    return [*value[:position], mutate_value(value[position], rng, value), *value[position + 1 :]]  # replace


def _mutate_dict(value: dict[Any, Any], rng: random.Random) -> dict[Any, Any]:
    if not value:
        return value
    keys = list(value)
    key = rng.choice(keys)
    choice = rng.randrange(3)
    changed = dict(value)
    if choice == 0:
        del changed[key]
    elif choice == 1:
        changed[key] = mutate_value(value[key], rng, list(value.values()))
    else:
        new_key = mutate_value(key, rng, keys)
        changed[new_key] = mutate_value(value[key], rng, list(value.values()))
    return changed


def mutate_input(args: tuple[Any, ...], rng: random.Random, pools: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """1 to `MAX_STEPS` mutation steps, each on one argument of `args`."""
    mutated = list(args)
    for _ in range(rng.randint(1, MAX_STEPS)):
        if not mutated:
            break
        position = rng.randrange(len(mutated))
        mutated[position] = mutate_value(mutated[position], rng, pools[position] if position < len(pools) else ())
    return tuple(mutated)


def grow(
    base: Sequence[tuple[Any, ...]],
    rng: random.Random,
    *,
    wanted: int,
    keep: Callable[[tuple[Any, ...]], bool],
    attempts: int = 2000,
) -> list[tuple[Any, ...]]:
    """Up to `wanted` new distinct inputs (not among `base`), each mutated from a base input or an input grown
    before, kept only where `keep` says (the problem's domain, the reference not raising)."""
    if not base:
        return []
    pools = [[args[position] for args in base if position < len(args)] for position in range(max(map(len, base)))]
    seen = {repr(args) for args in base}
    grown: list[tuple[Any, ...]] = []
    for _ in range(attempts):
        if len(grown) >= wanted:
            break
        seed = rng.choice([*base, *grown])
        candidate = mutate_input(seed, rng, pools)
        key = repr(candidate)
        if key in seen:
            continue
        seen.add(key)
        if keep(candidate):
            grown.append(candidate)
    return grown

"""HumanEval-Rust+ inputs (issue 25, in progress): the type-aware mutator and the domain read off base inputs."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sigil_eval.datasets.humaneval.plus.domain import Domain, admits, infer
from sigil_eval.datasets.humaneval.plus.mutate import grow, mutate_input, mutate_value


@pytest.mark.parametrize(
    "value", [0, -7, 2.5, True, "abc", "", [1, 2, 3], [], ("a", 1), {"a": 1, "b": 2}, None, [[1, 2], [3]]]
)
def test_a_mutation_keeps_the_kind(value: Any) -> None:
    rng = random.Random(1)
    for _ in range(50):
        mutated = mutate_value(value, rng)
        assert type(mutated) is type(value)


def test_mutation_is_deterministic_for_a_seed() -> None:
    args = ([3, 1, 2], "hello", 4)
    pools = [[[3, 1, 2]], ["hello"], [4]]
    first = [mutate_input(args, random.Random(7), pools) for _ in range(3)]
    again = [mutate_input(args, random.Random(7), pools) for _ in range(3)]
    assert first == again
    assert any(mutated != args for mutated in first)


def test_strings_grow_from_the_characters_they_have() -> None:
    rng = random.Random(3)
    grown = {mutate_value("abba", rng, ["abba", "baab"]) for _ in range(200)}
    assert all(set(text) <= {"a", "b"} for text in grown) and len(grown) > 10


def test_grow_gives_new_distinct_inputs_that_keep_says_are_kept() -> None:
    base = [(1, 2), (3, 4)]
    grown = grow(base, random.Random(5), wanted=30, keep=lambda args: all(isinstance(a, int) and a >= 0 for a in args))
    assert len(grown) == 30
    assert len({repr(g) for g in grown}) == 30 and not set(grown) & set(base)
    assert all(a >= 0 and b >= 0 for a, b in grown)


def test_the_domain_keeps_a_sign_every_base_value_shares() -> None:
    shape = infer([1, 5, 9])
    assert (
        admits(shape, 1)
        and admits(shape, 19)
        and not admits(shape, 20)
        and not admits(shape, 0)
        and not admits(shape, -3)
    )
    assert admits(infer([0, 4]), 0) and not admits(infer([0, 4]), -1)
    mixed = infer([-2, 3])
    assert admits(mixed, -10) and not admits(mixed, 10**9)  # a range around the values seen


def test_the_domain_keeps_character_classes_emptiness_and_kinds() -> None:
    words = infer(["hello", "world"])
    assert admits(words, "zebra") and not admits(words, "Zebra") and not admits(words, "") and not admits(words, 3)
    assert admits(infer(["", "ab"]), "")
    assert admits(infer([1, 2.5]), 3) and not admits(infer([1, 2.5]), "3")  # an int among floats is a float
    assert admits(infer([1, "a"]), None)  # mixed kinds: no constraint


def test_the_domain_keeps_sortedness_uniqueness_and_elements() -> None:
    ascending = infer([[1, 2, 3], [0, 5]])
    assert admits(ascending, [2, 4]) and not admits(ascending, [4, 2])
    unique = infer([[3, 1, 2], [5, 4]])
    assert admits(unique, [2, 1]) and not admits(unique, [1, 1])
    assert not admits(infer([[1, 2], [3]]), [1, -5])  # elements keep their sign
    loose = infer([[2, 2, 1], [1]])
    assert admits(loose, [1, 1]) and admits(loose, [3, 2])


def test_a_domain_is_one_shape_per_argument() -> None:
    domain = Domain.of([("abc", 2), ("de", 5)])
    assert domain.admits(("xyz", 3)) and not domain.admits(("xyz", -1)) and not domain.admits(("xyz",))
    assert Domain.of([((1, "a"),), ((2, "b"),)]).admits(((3, "c"),))
    assert not Domain.of([((1, "a"),), ((2, "b"),)]).admits(((3, "c", 4),))


def test_a_vocabulary_of_values_or_tokens_is_kept() -> None:
    operators = infer([["+", "*", "-"], ["+", "-"], ["*", "*"]])
    assert admits(operators, ["-", "+"]) and not admits(operators, ["++", "+"])
    notes = infer(["o o| .| o|", "o o o", ".| .| o|"])
    assert admits(notes, "o| o .|") and not admits(notes, "o oo") and not admits(notes, "o  o")
    letters = infer(["a b c", "b b", "a"])
    assert admits(letters, "c a") and not admits(letters, "ab c") and not admits(letters, "")  # none was empty
    words = infer(["hello world", "how are you"])  # every token differs: no vocabulary, any word
    assert admits(words, "you are") and admits(words, "what now")


def test_words_are_mutated_as_tokens() -> None:
    rng = random.Random(11)
    pool = ["one three", "five two two"]
    grown = {mutate_value("one two", rng, pool) for _ in range(300)}
    assert any(set(text.split(" ")) <= {"one", "two", "three", "five"} and text != "one two" for text in grown)

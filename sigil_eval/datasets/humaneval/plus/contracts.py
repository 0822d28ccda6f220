"""Input contracts that a problem's prompt states and its base inputs cannot show (a relation between arguments,
a bound the examples stay far from), as EvalPlus writes them by hand: a grown input outside its problem's
contract is never kept. Each is quoted from its prompt."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any


def _grid(grid: Any, k: Any) -> bool:
    """/129: "a grid with N rows and N columns (N >= 2) and a positive integer k … every integer in the range
    [1, N * N] inclusive appears exactly once"."""
    n = len(grid)
    return (
        n >= 2
        and all(isinstance(row, list) and len(row) == n for row in grid)
        and sorted(v for row in grid for v in row) == list(range(1, n * n + 1))
        and k >= 1
    )


def _algebra(operators: Any, operands: Any) -> bool:
    """/160: "The length of operator list is equal to the length of operand list minus one. Operand is a list of
    non-negative integers. Operator list has at least one operator, and operand list has at least two operands";
    the operations are + - * // **."""
    return (
        len(operators) >= 1
        and len(operands) == len(operators) + 1
        and all(op in ("+", "-", "*", "//", "**") for op in operators)
        and all(x >= 0 for x in operands)
        and all(x >= 1 for op, x in zip(operators, operands[1:], strict=False) if op == "//")
        and all(x <= 9 for op, x in zip(operators, operands[1:], strict=False) if op == "**")
    )


def _unique_closest(numbers: Any) -> bool:
    """/20: "select and return two that are the closest to each other": one pair, not a tie between pairs."""
    ordered = sorted(numbers)
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    return len(gaps) >= 1 and gaps.count(min(gaps)) == 1


def _case_state(keys: Any) -> str:
    if not all(isinstance(k, str) for k in keys):
        return "mixed"
    if all(k.islower() for k in keys):
        return "lower"
    return "upper" if all(k.isupper() for k in keys) else "mixed"


def _dict_case(mapping: Any) -> bool:
    """/95: "return True if all keys are strings in lower case or all keys are strings in upper case". OpenAI's
    canonical solution decides on the first two keys alone: keep a dict only where the rest agree with them."""
    keys = list(mapping)
    return len(keys) <= 2 or _case_state(keys) == _case_state(keys[:2])


def _is_prime(n: int) -> bool:
    return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))


def _balanced_groups(text: Any) -> bool:
    """/1: "Separate groups are balanced (each open brace is properly closed)"; /6: groups "separated by spaces"
    of nested parentheses: no group closes more than it opened, every group is closed."""
    for group in text.split(" ") if " " in text else [text]:
        depth = 0
        for ch in group:
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
            if depth < 0:
                return False
        if depth:
            return False
    return True


CONTRACTS: dict[int, Callable[..., bool]] = {
    1: _balanced_groups,
    6: lambda text: _balanced_groups(text) and "" not in text.split(" "),
    # "Input are two strings a and b consisting only of 1s and 0s. Perform binary XOR": of equal length (OpenAI's
    # canonical solution zips them, cutting the longer short, which is no binary XOR)
    11: lambda a, b: len(a) == len(b),
    20: _unique_closest,
    # "Return list of prime factors of given integer": of an integer that has some
    25: lambda n: n >= 2,
    # "find_zero only takes list xs having even number of coefficients and largest non zero coefficient"
    32: lambda xs: len(xs) % 2 == 0 and len(xs) >= 2 and xs[-1] != 0,
    # "Change numerical base of input number x to base. … base numbers are less than 10."
    44: lambda x, base: x >= 0 and 2 <= base < 10,
    # "Assume n > 1 and is not a prime."
    59: lambda n: n > 1 and not _is_prime(n),
    # a list of GPAs, graded on a table from 0.0 to 4.0
    81: lambda grades: all(0.0 <= g <= 4.0 for g in grades),
    # "find the largest prime value and return the sum of its digits": there is one (OpenAI's canonical solution
    # counts 0 and 1 as primes)
    94: lambda numbers: any(_is_prime(n) for n in numbers),
    95: lambda mapping: _dict_case(mapping) and all(k != "" for k in mapping),  # an empty key is no case
    # "all wells have the same length … 1 <= grid[:,1].length <= 10 … grid[i][j] -> 0 | 1 … 1 <= capacity <= 10"
    115: lambda grid, capacity: (
        len(grid) >= 1
        and len({len(row) for row in grid}) == 1
        and 1 <= len(grid[0]) <= 10
        and all(v in (0, 1) for row in grid for v in row)
        and 1 <= capacity <= 10
    ),
    # "return the product of their unit digits": the unit digit of -12 is 2, where OpenAI's canonical solution
    # takes Python's -12 % 10 == 8; negative numbers only where both agree (…0 and …5, as the examples' -15)
    97: lambda a, b: all(x >= 0 or x % 10 in (0, 5) for x in (a, b)),
    # "1. The length of the array will be in the range of [1, 1000]. … 3. 0 <= k <= len(arr)"
    120: lambda arr, k: 1 <= len(arr) <= 1000 and 0 <= k <= len(arr) and all(-1000 <= x <= 1000 for x in arr),
    # "The date should be in the format: mm-dd-yyyy": a date of three dash-separated parts has a 4-digit year
    # (whether '1-1-20200' is valid, the prompt does not say)
    124: lambda date: date.count("-") != 2 or re.fullmatch(r"\d{2}-\d{2}-\d{4}", date) is not None,
    # "each interval is a pair of integers … start is less or equal its end"
    127: lambda first, second: first[0] <= first[1] and second[0] <= second[1],
    # "1 <= len(arr) <= 100, 1 <= k <= len(arr)"
    122: lambda arr, k: 1 <= len(arr) <= 100 and 1 <= k <= len(arr),
    129: _grid,
    # "replace all spaces in it with underscores": OpenAI's canonical solution writes one underscore for one or
    # two spaces at the very end
    140: lambda text: not text.endswith(" "),
    # "<numerator>/<denominator> where both numerator and denominator are positive whole numbers"
    144: lambda x, n: all(int(p) > 0 for f in (x, n) for p in f.split("/")),
    # "Restrictions: 1 <= num <= 1000"
    156: lambda number: 1 <= number <= 1000,
    160: _algebra,
}


def within_contract(number: int, args: tuple[Any, ...]) -> bool:
    contract = CONTRACTS.get(number)
    if contract is None:
        return True
    try:
        return bool(contract(*args))
    except (TypeError, ValueError, IndexError):
        return False

"""Our Rust signature for each of HumanEval's 164 entry points (type conventions: `rust_types`), plus what a few
problems need besides: helper functions the prompt shows, `use` lines, a note where the Rust type departs from the
docstring's wording, and adapters from the recorded Python values to our types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigil_eval.program.rust_types import VALUE_ENUM


@dataclass(frozen=True, slots=True)
class Spec:
    signature: str  # `fn name(arg: Type, …) -> Type`, without the opening brace
    helpers: str = ""  # Rust items the prompt shows before the signature
    uses: str = ""
    note: str = ""  # appended to the doc comment
    map_args: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    map_result: Callable[[Any], Any] | None = None
    # A hand-written assertion instead of `assert_eq!(call, expected)`; `{call}` and `{arg0}`… are substituted.
    property_check: str | None = None

    def adapt(self, args: tuple[Any, ...], result: Any) -> tuple[tuple[Any, ...], Any]:
        """A recorded or documented Python call, in the values our Rust types expect."""
        return (
            self.map_args(args) if self.map_args else args,
            self.map_result(result) if self.map_result else result,
        )


HASH_MAP = "use std::collections::HashMap;\n"

IS_PALINDROME = """\
/// Test if the given string is a palindrome.
fn is_palindrome(string: &str) -> bool {
    string.chars().eq(string.chars().rev())
}
"""

POLY = """\
/// Evaluates the polynomial with coefficients `xs` at point `x`:
/// xs[0] + xs[1] * x + xs[2] * x^2 + … + xs[n] * x^n
fn poly(xs: &[f64], x: f64) -> f64 {
    xs.iter().enumerate().map(|(i, coeff)| coeff * x.powi(i as i32)).sum()
}
"""

ENCODE_CYCLIC = """\
/// Returns the string encoded by cycling groups of three characters.
fn encode_cyclic(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(3)
        .map(|group| {
            if group.len() == 3 {
                [group[1], group[2], group[0]].iter().collect::<String>()
            } else {
                group.iter().collect::<String>()
            }
        })
        .collect()
}
"""

ENCODE_SHIFT = """\
/// Returns the string encoded by shifting every character by 5 in the alphabet.
fn encode_shift(s: &str) -> String {
    s.chars()
        .map(|ch| (((ch as u8 + 5 - b'a') % 26) + b'a') as char)
        .collect()
}
"""

_S = Spec
SPECS: dict[int, Spec] = {
    0: _S("fn has_close_elements(numbers: &[f64], threshold: f64) -> bool"),
    1: _S("fn separate_paren_groups(paren_string: &str) -> Vec<String>"),
    2: _S("fn truncate_number(number: f64) -> f64"),
    3: _S("fn below_zero(operations: &[i64]) -> bool"),
    4: _S("fn mean_absolute_deviation(numbers: &[f64]) -> f64"),
    5: _S("fn intersperse(numbers: &[i64], delimeter: i64) -> Vec<i64>"),
    6: _S("fn parse_nested_parens(paren_string: &str) -> Vec<i64>"),
    7: _S("fn filter_by_substring(strings: &[&str], substring: &str) -> Vec<String>"),
    8: _S("fn sum_product(numbers: &[i64]) -> (i64, i64)"),
    9: _S("fn rolling_max(numbers: &[i64]) -> Vec<i64>"),
    10: _S("fn make_palindrome(string: &str) -> String", helpers=IS_PALINDROME),
    11: _S("fn string_xor(a: &str, b: &str) -> String"),
    12: _S("fn longest(strings: &[&str]) -> Option<String>"),
    13: _S("fn greatest_common_divisor(a: i64, b: i64) -> i64"),
    14: _S("fn all_prefixes(string: &str) -> Vec<String>"),
    15: _S("fn string_sequence(n: i64) -> String"),
    16: _S("fn count_distinct_characters(string: &str) -> i64"),
    17: _S("fn parse_music(music_string: &str) -> Vec<i64>"),
    18: _S("fn how_many_times(string: &str, substring: &str) -> i64"),
    19: _S("fn sort_numbers(numbers: &str) -> String"),
    20: _S("fn find_closest_elements(numbers: &[f64]) -> (f64, f64)"),
    21: _S("fn rescale_to_unit(numbers: &[f64]) -> Vec<f64>"),
    22: _S("fn filter_integers(values: &[Value]) -> Vec<i64>", helpers=VALUE_ENUM),
    23: _S("fn strlen(string: &str) -> i64"),
    24: _S("fn largest_divisor(n: i64) -> i64"),
    25: _S("fn factorize(n: i64) -> Vec<i64>"),
    26: _S("fn remove_duplicates(numbers: &[i64]) -> Vec<i64>"),
    27: _S("fn flip_case(string: &str) -> String"),
    28: _S("fn concatenate(strings: &[&str]) -> String"),
    29: _S("fn filter_by_prefix(strings: &[&str], prefix: &str) -> Vec<String>"),
    30: _S("fn get_positive(l: &[i64]) -> Vec<i64>"),
    31: _S("fn is_prime(n: i64) -> bool"),
    32: _S(
        "fn find_zero(xs: &[f64]) -> f64",
        helpers=POLY,
        property_check="assert!(poly({arg0}, {call}).abs() < 1e-4);",
    ),
    33: _S("fn sort_third(l: &[i64]) -> Vec<i64>"),
    34: _S("fn unique(l: &[i64]) -> Vec<i64>"),
    35: _S("fn max_element(l: &[i64]) -> i64"),
    36: _S("fn fizz_buzz(n: i64) -> i64"),
    37: _S("fn sort_even(l: &[i64]) -> Vec<i64>"),
    38: _S("fn decode_cyclic(s: &str) -> String", helpers=ENCODE_CYCLIC),
    39: _S("fn prime_fib(n: i64) -> i64"),
    40: _S("fn triples_sum_to_zero(l: &[i64]) -> bool"),
    41: _S("fn car_race_collision(n: i64) -> i64"),
    42: _S("fn incr_list(l: &[i64]) -> Vec<i64>"),
    43: _S("fn pairs_sum_to_zero(l: &[i64]) -> bool"),
    44: _S("fn change_base(x: i64, base: i64) -> String"),
    45: _S("fn triangle_area(a: f64, h: f64) -> f64"),
    46: _S("fn fib4(n: i64) -> i64"),
    47: _S("fn median(l: &[i64]) -> f64"),
    48: _S("fn is_palindrome(text: &str) -> bool"),
    49: _S("fn modp(n: i64, p: i64) -> i64"),
    50: _S("fn decode_shift(s: &str) -> String", helpers=ENCODE_SHIFT),
    51: _S("fn remove_vowels(text: &str) -> String"),
    52: _S("fn below_threshold(l: &[i64], t: i64) -> bool"),
    53: _S("fn add(x: i64, y: i64) -> i64"),
    54: _S("fn same_chars(s0: &str, s1: &str) -> bool"),
    55: _S("fn fib(n: i64) -> i64"),
    56: _S("fn correct_bracketing(brackets: &str) -> bool"),
    57: _S("fn monotonic(l: &[i64]) -> bool"),
    58: _S("fn common(l1: &[i64], l2: &[i64]) -> Vec<i64>"),
    59: _S("fn largest_prime_factor(n: i64) -> i64"),
    60: _S("fn sum_to_n(n: i64) -> i64"),
    61: _S("fn correct_bracketing(brackets: &str) -> bool"),
    62: _S("fn derivative(xs: &[i64]) -> Vec<i64>"),
    63: _S("fn fibfib(n: i64) -> i64"),
    64: _S("fn vowels_count(s: &str) -> i64"),
    65: _S("fn circular_shift(x: i64, shift: i64) -> String"),
    66: _S("fn digit_sum(s: &str) -> i64"),
    67: _S("fn fruit_distribution(s: &str, n: i64) -> i64"),
    68: _S("fn pluck(arr: &[i64]) -> Vec<i64>"),
    69: _S("fn search(lst: &[i64]) -> i64"),
    70: _S("fn strange_sort_list(lst: &[i64]) -> Vec<i64>"),
    71: _S("fn triangle_area(a: i64, b: i64, c: i64) -> f64"),
    72: _S("fn will_it_fly(q: &[i64], w: i64) -> bool"),
    73: _S("fn smallest_change(arr: &[i64]) -> i64"),
    74: _S("fn total_match(lst1: &[&str], lst2: &[&str]) -> Vec<String>"),
    75: _S("fn is_multiply_prime(a: i64) -> bool"),
    76: _S("fn is_simple_power(x: i64, n: i64) -> bool"),
    77: _S("fn iscube(a: i64) -> bool"),
    78: _S(
        "fn hex_key(num: &str) -> i64",
        map_args=lambda args: tuple("" if a == [] else a for a in args),  # the check passes `[]` for ""
    ),
    79: _S("fn decimal_to_binary(decimal: i64) -> String"),
    80: _S("fn is_happy(s: &str) -> bool"),
    81: _S("fn numerical_letter_grade(grades: &[f64]) -> Vec<String>"),
    82: _S("fn prime_length(string: &str) -> bool"),
    83: _S("fn starts_one_ends(n: i64) -> i64"),
    84: _S("fn solve(n: i64) -> String"),
    85: _S("fn add(lst: &[i64]) -> i64"),
    86: _S("fn anti_shuffle(s: &str) -> String"),
    87: _S("fn get_row(lst: &[Vec<i64>], x: i64) -> Vec<(i64, i64)>"),
    88: _S("fn sort_array(array: &[i64]) -> Vec<i64>"),
    89: _S("fn encrypt(s: &str) -> String"),
    90: _S("fn next_smallest(lst: &[i64]) -> Option<i64>"),
    91: _S("fn is_bored(s: &str) -> i64"),
    92: _S(
        "fn any_int(x: Value, y: Value, z: Value) -> bool",
        helpers=VALUE_ENUM,
        note="The arguments are `Value::Int` or `Value::Float`.",
    ),
    93: _S("fn encode(message: &str) -> String"),
    94: _S("fn skjkasdkd(lst: &[i64]) -> i64"),
    95: _S(
        "fn check_dict_case(dict: &[(Value, &str)]) -> bool",
        helpers=VALUE_ENUM,
        note="The dictionary is given as its (key, value) pairs in insertion order.",
    ),
    96: _S("fn count_up_to(n: i64) -> Vec<i64>"),
    97: _S("fn multiply(a: i64, b: i64) -> i64"),
    98: _S("fn count_upper(s: &str) -> i64"),
    99: _S("fn closest_integer(value: &str) -> i64"),
    100: _S("fn make_a_pile(n: i64) -> Vec<i64>"),
    101: _S("fn words_string(s: &str) -> Vec<String>"),
    102: _S("fn choose_num(x: i64, y: i64) -> i64"),
    103: _S(
        "fn rounded_avg(n: i64, m: i64) -> Option<String>",
        note="Return `None` where the text says -1.",
        map_result=lambda result: None if result == -1 else result,
    ),
    104: _S("fn unique_digits(x: &[i64]) -> Vec<i64>"),
    105: _S("fn by_length(arr: &[i64]) -> Vec<String>"),
    106: _S("fn f(n: i64) -> Vec<i64>"),
    107: _S("fn even_odd_palindrome(n: i64) -> (i64, i64)"),
    108: _S("fn count_nums(arr: &[i64]) -> i64"),
    109: _S("fn move_one_ball(arr: &[i64]) -> bool"),
    110: _S("fn exchange(lst1: &[i64], lst2: &[i64]) -> String"),
    111: _S("fn histogram(test: &str) -> HashMap<char, i64>", uses=HASH_MAP),
    112: _S("fn reverse_delete(s: &str, c: &str) -> (String, bool)"),
    113: _S("fn odd_count(lst: &[&str]) -> Vec<String>"),
    114: _S("fn min_sub_array_sum(nums: &[i64]) -> i64"),
    115: _S("fn max_fill(grid: &[Vec<i64>], capacity: i64) -> i64"),
    116: _S("fn sort_array(arr: &[i64]) -> Vec<i64>"),
    117: _S("fn select_words(s: &str, n: i64) -> Vec<String>"),
    118: _S("fn get_closest_vowel(word: &str) -> String"),
    119: _S("fn match_parens(lst: &[&str]) -> String"),
    120: _S("fn maximum(arr: &[i64], k: i64) -> Vec<i64>"),
    121: _S("fn solution(lst: &[i64]) -> i64"),
    122: _S("fn add_elements(arr: &[i64], k: i64) -> i64"),
    123: _S("fn get_odd_collatz(n: i64) -> Vec<i64>"),
    124: _S("fn valid_date(date: &str) -> bool"),
    125: _S(
        "fn split_words(txt: &str) -> Value",
        helpers=VALUE_ENUM,
        note="Return a `Value::List` of `Value::Str` words, or a `Value::Int` count.",
    ),
    126: _S("fn is_sorted(lst: &[i64]) -> bool"),
    127: _S("fn intersection(interval1: (i64, i64), interval2: (i64, i64)) -> String"),
    128: _S("fn prod_signs(arr: &[i64]) -> Option<i64>"),
    129: _S("fn min_path(grid: &[Vec<i64>], k: i64) -> Vec<i64>"),
    130: _S("fn tri(n: i64) -> Vec<i64>"),
    131: _S("fn digits(n: i64) -> i64"),
    132: _S("fn is_nested(string: &str) -> bool"),
    133: _S("fn sum_squares(lst: &[f64]) -> i64"),
    134: _S("fn check_if_last_char_is_a_letter(txt: &str) -> bool"),
    135: _S("fn can_arrange(arr: &[i64]) -> i64"),
    136: _S("fn largest_smallest_integers(lst: &[i64]) -> (Option<i64>, Option<i64>)"),
    137: _S(
        "fn compare_one(a: Value, b: Value) -> Option<Value>",
        helpers=VALUE_ENUM,
        note="The arguments are `Value::Int`, `Value::Float` or `Value::Str`.",
    ),
    138: _S("fn is_equal_to_sum_even(n: i64) -> bool"),
    139: _S("fn special_factorial(n: i64) -> i64"),
    140: _S("fn fix_spaces(text: &str) -> String"),
    141: _S("fn file_name_check(file_name: &str) -> String"),
    142: _S("fn sum_squares(lst: &[i64]) -> i64"),
    143: _S("fn words_in_sentence(sentence: &str) -> String"),
    144: _S("fn simplify(x: &str, n: &str) -> bool"),
    145: _S("fn order_by_points(nums: &[i64]) -> Vec<i64>"),
    146: _S("fn special_filter(nums: &[i64]) -> i64"),
    147: _S("fn get_max_triples(n: i64) -> i64"),
    148: _S("fn bf(planet1: &str, planet2: &str) -> Vec<String>"),
    149: _S("fn sorted_list_sum(lst: &[&str]) -> Vec<String>"),
    150: _S("fn x_or_y(n: i64, x: i64, y: i64) -> i64"),
    151: _S("fn double_the_difference(lst: &[f64]) -> i64"),
    152: _S("fn compare(game: &[i64], guess: &[i64]) -> Vec<i64>"),
    153: _S("fn strongest_extension(class_name: &str, extensions: &[&str]) -> String"),
    154: _S("fn cycpattern_check(a: &str, b: &str) -> bool"),
    155: _S("fn even_odd_count(num: i64) -> (i64, i64)"),
    156: _S("fn int_to_mini_roman(number: i64) -> String"),
    157: _S("fn right_angle_triangle(a: i64, b: i64, c: i64) -> bool"),
    158: _S("fn find_max(words: &[&str]) -> String"),
    159: _S("fn eat(number: i64, need: i64, remaining: i64) -> Vec<i64>"),
    160: _S("fn do_algebra(operator: &[&str], operand: &[i64]) -> i64"),
    161: _S("fn solve(s: &str) -> String"),
    162: _S("fn string_to_md5(text: &str) -> Option<String>"),
    163: _S("fn generate_integers(a: i64, b: i64) -> Vec<i64>"),
}

from sigil_eval.assemble import assemble
from sigil_eval.problemsets import problem_from_row
from sigil_eval.rust_items import top_level_items, without_items

CODE = """use std::fmt;
/// Doubles.
#[inline]
pub(crate) const fn helper(a: [i32; 3]) -> i32 {
    a[0] * 2
}
const C: [u8; 2] = [1, 2];
static mut S: i32 = 0;
struct Unit;
struct Pair(i32, i32);
enum Value { A { x: i32 }, B }
type Alias = Vec<i32>;
impl Value {
    fn inner() {}
}
unsafe extern "C" fn raw() {}
fn main() {
    fn nested() {}
}
"""


def test_top_level_items_are_named_with_their_extent() -> None:
    items = top_level_items(CODE)
    assert [(i.kind, i.name) for i in items] == [
        ("fn", "helper"), ("const", "C"), ("static", "S"), ("struct", "Unit"), ("struct", "Pair"),
        ("enum", "Value"), ("type", "Alias"), ("fn", "raw"), ("fn", "main"),
    ]  # fmt: skip
    helper = items[0]
    assert CODE[helper.start : helper.end].startswith("/// Doubles.\n#[inline]\n") and CODE[helper.end - 1] == "}"
    assert CODE[items[1].start : items[1].end] == "const C: [u8; 2] = [1, 2];"


def test_cutting_items_keeps_everything_else() -> None:
    cut = without_items(CODE, {"helper", "Value", "raw"})
    assert "helper" not in cut and "Doubles" not in cut and "enum Value" not in cut and "raw" not in cut
    assert "impl Value" in cut and "const C" in cut and "fn nested" in cut


def test_a_whole_function_answer_repeating_the_prompts_helper_replaces_it() -> None:
    """HumanEval/10-style prompts show a helper before the signature; chat answers bring it again."""
    problem = problem_from_row(
        {
            "task_id": "T/10",
            "prompt": "fn is_pal(s: &str) -> bool {\n    s.chars().eq(s.chars().rev())\n}\n\n"
            "fn make(s: &str) -> bool {\n",
            "test": "",
            "entry_point": "make",
        },
        prelude=False,
    )
    answer = (
        "fn is_pal(s: &str) -> bool {\n    s == s.chars().rev().collect::<String>()\n}\n\n"
        "fn make(s: &str) -> bool {\n    is_pal(s)\n}\n"
    )
    source = assemble(problem, answer).source
    assert source.count("fn is_pal") == 1 and "collect::<String>()" in source

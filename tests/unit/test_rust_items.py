from sigil_eval.inputs.problemsets import problem_from_row
from sigil_eval.program.assemble import assemble
from sigil_eval.program.rust_items import top_level_items, without_items

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


def test_a_helper_repeated_exactly_is_kept_once_and_a_changed_one_still_collides() -> None:
    """HumanEval/10-style prompts show a helper before the signature; chat answers bring it again. A copy is
    harmless; a changed copy could change what the tests compute with (HumanEval/32's tests call `poly`), so it
    stays a collision, as it is in the prompt's own program."""
    helper = "fn is_pal(s: &str) -> bool {\n    s.chars().eq(s.chars().rev())\n}\n"
    problem = problem_from_row(
        {"task_id": "T/10", "prompt": f"{helper}\nfn make(s: &str) -> bool {{\n", "test": "", "entry_point": "make"},
        prelude=False,
    )
    entry = "fn make(s: &str) -> bool {\n    is_pal(s)\n}\n"
    copied = assemble(problem, "// the helper\n" + helper.replace("    ", "  ") + "\n" + entry).source
    assert copied.count("fn is_pal") == 1
    changed = assemble(problem, "fn is_pal(_s: &str) -> bool {\n    true\n}\n\n" + entry).source
    assert changed.count("fn is_pal") == 2  # E0428 at compile time: the prompt's helper cannot be swapped out

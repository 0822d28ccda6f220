import pytest

from sigil_eval.inputs.problemsets import problem_from_row
from sigil_eval.program.assemble import assemble
from sigil_eval.program.completion import clean_completion, defines_fn, extract_code, is_main_free, strip_thinking
from sigil_eval.program.rust_lexer import code_mask

TEST = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { assert_eq!(add(1, 2), 3); }\n}\n"
TEST = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { assert_eq!(add(1, 2), 3); }\n}\n"
PROBLEM = problem_from_row(
    {
        "task_id": "T/0",
        "prompt": "// doc\nfn add(a: i32, b: i32) -> i32 {\n",
        "entry_point": "add",
        "test": TEST,
    },
    prelude=False,
)


def test_mask_blanks_comments_strings_and_chars_but_keeps_lifetimes() -> None:
    src = "let s = \"}{\"; // }\n/* { /* } */ */ let c = '}'; fn f<'a>(x: &'a str) {} r#\"}\"#"
    masked = code_mask(src)
    assert len(masked) == len(src)
    assert masked.count("{") == masked.count("}") == 1
    assert "'a" in masked


def test_body_completion_closes_the_prompt_signature() -> None:
    cleaned = clean_completion("    a + b\n}\n", "add")
    assert not cleaned.full_function
    assert cleaned.code.count("}") == 1


def test_truncated_body_gets_its_braces_closed() -> None:
    cleaned = clean_completion("    if a > 0 {\n        a + b\n    } else { b + a", "add")
    masked = code_mask(cleaned.code)
    assert 1 + masked.count("{") - masked.count("}") == 0


def test_full_function_keeps_its_closing_brace_helpers_and_uses() -> None:
    raw = (
        "use std::cmp::max;\n\nfn helper(x: i32) -> i32 { x }\n\n"
        "fn add(a: i32, b: i32) -> i32 {\n    helper(a) + b\n}\n"
    )
    program = assemble(PROBLEM, raw)
    assert program.full_function
    assert program.source.count("fn add(") == 1
    assert "use std::cmp::max;" in program.source and "fn helper" in program.source
    masked = code_mask(program.source)
    assert masked.count("{") == masked.count("}")


def test_markdown_picks_the_rust_block_with_the_entry_point_and_drops_main() -> None:
    raw = (
        "Sure!\n```text\nnot code\n```\n```rust\nfn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n"
        'fn main() {\n    println!("{}", add(1, 2));\n}\n```\nDone.'
    )
    assert "fn add" in extract_code(raw, "add")
    cleaned = clean_completion(raw, "add")
    assert cleaned.full_function and "fn main" not in cleaned.code and "a + b" in cleaned.code


def test_main_free_is_computed_on_the_raw_completion() -> None:
    assert is_main_free("    a + b\n}\n")
    assert not is_main_free("    a + b\n}\nfn main() {}\n")
    assert is_main_free('    a + b\n}\n// fn main() is not here\nconst S: &str = "fn main()";\n')


def test_main_inside_a_string_or_comment_is_not_dropped() -> None:
    cleaned = clean_completion('    let s = "fn main() { }";\n    a + b\n}\n', "add")
    assert 'fn main() { }"' in cleaned.code


def test_completion_lines_point_at_the_completion() -> None:
    program = assemble(PROBLEM, "    a + b\n}\n")
    lines = program.source.splitlines()
    first, last = program.completion_lines
    assert lines[first - 1] == "    a + b"
    assert lines[last - 1] == "}"


# --- issue 9: every answer shape, as pure functions (the battery in test_answer_shapes.py compiles them) ---------
QUALIFIED_HEADS = [
    "unsafe fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    "const unsafe fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    'extern "C" fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n',
    'pub unsafe extern "C" fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n',
    "pub async unsafe fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    "#[inline]\n#[must_use]\n#[allow(clippy::all)]\nfn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    "/// Adds.\n/** More. */\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    "#[inline] pub(crate) fn add(a: i32, b: i32) -> i32 { a + b }\n",
    "pub(in crate) fn add<'a, T: Copy>(a: T, b: T) -> T\nwhere\n    T: 'a,\n{\n    a\n}\n",
    "fn add <T> (a: T, _b: T) -> T { a }\n",
]


@pytest.mark.parametrize("raw", QUALIFIED_HEADS)
def test_whole_functions_with_any_head_are_recognised_and_get_no_stray_brace(raw: str) -> None:
    cleaned = clean_completion(raw, "add")
    assert cleaned.full_function
    assert cleaned.code.rstrip() == raw.rstrip()


def test_a_call_or_a_longer_name_is_not_a_definition() -> None:
    assert defines_fn("    let x = add(1, 2);\n    x\n}\n", "add") is None
    assert defines_fn("fn add_one(a: i32) -> i32 { a }\n", "add") is None
    assert defines_fn("impl S {\n    fn add(&self) {}\n}\n", "add") is None  # a method is not the entry point
    assert defines_fn("// fn add(a: i32)\n", "add") is None


@pytest.mark.parametrize(
    ("open_braces", "raw", "closing"),
    [
        (0, "{\n    a + b\n}\n", 0),  # McEval: the prompt ends at the signature, the answer brings the braces
        (0, "{\n    a + b", 1),  # …cut at the stop sequence
        (1, "    a + b\n}\n", 0),
        (1, "    a + b", 1),
        (2, "    a + b", 2),  # the prompt leaves an impl block open too
        (1, "    a + b\n}\n}\n", 0),  # one brace too many stays the answer's own compile error
    ],
)
def test_exactly_the_open_braces_are_closed(open_braces: int, raw: str, closing: int) -> None:
    cleaned = clean_completion(raw, "add", open_braces)
    assert cleaned.code.rstrip() == (raw.rstrip() + "\n" + "}\n" * closing).rstrip()


def test_whole_program_with_no_entry_point_is_taken_as_is() -> None:
    raw = "use std::fmt;\n\nfn helper() {}\n\npub fn solve() -> u8 {\n    1\n}\n"
    cleaned = clean_completion(raw, "", 0)
    assert cleaned.full_function and cleaned.code == raw


def test_thinking_blocks_are_dropped_with_their_decoy_fences() -> None:
    raw = (
        "<think>\nmaybe\n```rust\nfn add(a: i32, b: i32) -> i32 { 0 }\n```\n</think>\n"
        "```rust\nfn add(a: i32, b: i32) -> i32 { a + b }\n```"
    )
    assert strip_thinking(raw).count("```") == 2
    assert "a + b" in clean_completion(raw, "add").code
    # the template opened the block in the prompt: only the closing tag is in the answer
    assert strip_thinking("reasoning\n```rust\nfn x() {}\n```\n</think>\nanswer") == "\nanswer"
    # cut off while thinking: nothing of it is the answer
    assert strip_thinking("done\n<think>\nstill thinking ```rust\nfn add() {}") == "done\n"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   \n",
        "I'm sorry, I can't help with that.",
        "Here is the answer:\n\n- It uses a set.\n- It is fast.",
        "<think>The answer is obvious.</think>\nI am not sure.",
        "<think>\n```rust\nfn add() {}\n```",
    ],
)
def test_answers_without_code_are_no_code(raw: str) -> None:
    assert clean_completion(raw, "add").no_code


@pytest.mark.parametrize(
    "raw",
    [
        "    a + b",
        "    x",
        "    true\n}",
        "    return a + b;",
        "    // TODO: implement\n}",
        "    unimplemented!()",
        "    if a > b { a } else { b }",
        "    a.max(b)",
        "    a as i64",
        "    MAX as usize",
        "    let n = xs.len();\n    n as usize",
        "```\nThe answer is 42.\n```",
    ],
)
def test_code_is_not_taken_for_prose(raw: str) -> None:
    assert not clean_completion(raw, "add").no_code


def test_own_main_and_cfg_test_modules_are_dropped_with_their_attributes() -> None:
    raw = (
        "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[allow(dead_code)]\n/// Demo.\nfn main() {\n"
        '    println!("{}", add(1, 2));\n}\n\n'
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { assert!(false); }\n}\n"
    )
    code = clean_completion(raw, "add").code
    assert "main" not in code and "mod tests" not in code and "#[allow" not in code and "Demo" not in code
    assert "a + b" in code


def test_an_answer_repeating_the_prompts_use_lines_does_not_collide() -> None:
    problem = problem_from_row(
        {
            "name": "HumanEval_0_x",
            "prompt": "use std::collections::HashMap;\n\n/// doc\nfn add(a: isize, b: isize) -> isize {\n",
            "test": "}\n\nfn main() {\n    assert_eq!(add(1, 2), 3);\n}\n",
        }
    )
    program = assemble(
        problem, "use std::collections::HashMap;\n\nfn add(a: isize, b: isize) -> isize {\n    a + b\n}\n"
    )
    assert program.source.splitlines().count("use std::collections::HashMap;") == 1


def test_sentences_around_unfenced_code_are_trimmed_but_not_inside_it() -> None:
    raw = "Sure! Here is the function:\n\nfn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\nIt simply adds them.\n"
    assert clean_completion(raw, "add").code == "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"
    inside = "    let x = a;\n    This is not code here\n    x + b\n}\n"
    assert "This is not code here" in clean_completion(inside, "add").code  # the compiler judges it
    tail = "    let n = xs.len();\n    n as usize"
    assert clean_completion(tail, "add").code.startswith(tail)  # a tail expression is not a sentence
    comment = "/*\n Adds the two numbers together.\n*/\nfn add(a: i32, b: i32) -> i32 { a + b }\n"
    assert clean_completion(comment, "add").code == comment

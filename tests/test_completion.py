from sigil_eval.assemble import assemble
from sigil_eval.completion import clean_completion, extract_code, is_main_free
from sigil_eval.problemsets import problem_from_row
from sigil_eval.rust_lexer import code_mask

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

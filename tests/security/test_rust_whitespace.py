"""Text the mask must read as rustc does, or a construct hides from routing. Whitespace that rustc takes and
Python's `\\s` does not (U+200E, U+200F); line breaks Python's `splitlines` sees and rustc does not (U+2028,
U+0085, form feed); a raw C string (`cr#"…"#`). Written with a direction mark, `include_str\\u200e!("src.rs")` is a
file inclusion to rustc; had routing missed it, the sample would be batched, where `src.rs` is not its file, and
judged differently than alone."""

from __future__ import annotations

import re

import pytest

from sigil_eval.data import get_human_eval_dataset
from sigil_eval.inputs.problemsets import load_problem_set, problem_set_from_rows
from sigil_eval.program.assemble import assemble
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.records import AGREED_FIELDS
from sigil_eval.runner import route

from ..helpers import RETURN_ONE, judge, requires_firejail

LRM, RLM = "\u200e", "\u200f"
PROBLEMS = problem_set_from_rows([RETURN_ONE])
PROBLEM = PROBLEMS.problems["test_rust/0"]
# (a completion of `fn return_one() -> i32 {`, the reason it is judged alone)
HIDDEN = {
    "include_lrm": (f'    include_str{LRM}!("src.rs").len().min(1) as i32\n}}\n', "file inclusion"),
    "crate_rlm": (
        f"    crate{RLM}::return_one_again()\n}}\nfn return_one_again() -> i32 {{ 1 }}\n",
        "crate-relative path",
    ),
    "module_lrm": (f"    1\n}}\nmod{LRM}helper;\n", "out-of-line module"),
    "extern_lrm": (f'    1\n}}\nextern{LRM}"C" {{}}\n', "extern block or crate"),
    "should_panic_lrm": (
        f"    1\n}}\n#{LRM}[should_panic]\nfn f() {{}}\n",
        "test attributes the harness does not implement",
    ),
    "test_attribute_rlm": (f"    1\n}}\n#{RLM}[test]\nfn f() {{}}\n", "own test attribute"),
    # the completion's last line, after line breaks only Python sees
    "unsafe_after_u2028": ("    let x = 1;\u2028\u2028\u2028\n    unsafe { x }\n}\n", "unsafe code"),
    "super_after_form_feed": ("    let x = 1;\x0c\x0c\x0c\n    super::return_one_again(x)\n}\n", "super path"),
    # a raw C string read as `cr#` and a string: the byte string `b"…"` it seemed to open swallowed the `unsafe`
    "unsafe_after_raw_c_string": (
        '    let _s = cr#"a"b"#;\n    unsafe { 1 }\n}\nconst T: &str = "x";\n',
        "unsafe code",
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("name", list(HIDDEN))
def test_routing_sees_constructs_behind_rust_only_whitespace(name: str) -> None:
    completion, reason = HIDDEN[name]
    assert route.isolation_reason(PROBLEM, assemble(PROBLEM, completion)) == reason


@pytest.mark.fast
def test_the_mask_turns_the_direction_marks_into_spaces_and_keeps_offsets() -> None:
    source = f'let s = "{LRM}"; crate{LRM}::x;{RLM}'
    masked = code_mask(source)
    assert masked == "let s =    ; crate ::x; "
    assert len(masked) == len(source)


@pytest.mark.fast
def test_ascii_and_unicode_patterns_pick_the_same_reason_on_ascii_programs() -> None:
    """The ASCII pattern set is a speed trick: on every built-in reference program, and on each with every
    construct spliced in, both sets name the same first reason."""
    ascii_program, ascii_completion = route._PATTERNS[True]
    unicode_program, unicode_completion = route._PATTERNS[False]
    constructs = [
        "crate::x",
        "$crate",
        "#[macro_use]",
        "#[no_mangle]",
        "#[global_allocator]",
        'extern "C" {}',
        "#![allow(x)]",
        'include_bytes!("f")',
        "mod m;",
        "type_name::<T>()",
        "libc::exit",
        "sigil_harness::x",
        "#[should_panic]",
        "super::f",
        "#[test]",
        "unsafe {}",
    ]
    checked = 0
    for problem in load_problem_set(get_human_eval_dataset()).problems.values():
        reference = problem.canonical_solution or "    todo!()\n}\n"
        for splice in ["", *constructs]:
            masked = code_mask(assemble(problem, f"    // {splice}\n    {splice};\n{reference}").source)
            assert masked.isascii()
            for ascii_set, unicode_set in [(ascii_program, unicode_program), (ascii_completion, unicode_completion)]:
                first_ascii = next((label for label, p in ascii_set if p.search(masked)), None)
                first_unicode = next((label for label, p in unicode_set if p.search(masked)), None)
                assert first_ascii == first_unicode, (problem.task_id, splice)
            checked += 1
    assert checked == 164 * 17


@requires_firejail
def test_a_file_inclusion_behind_a_direction_mark_is_judged_alone_and_alike() -> None:
    sample = [{"task_id": "test_rust/0", "completion": HIDDEN["include_lrm"][0]}]
    (batched,) = judge(sample, PROBLEMS, mode="batched", workers=1)
    (isolated,) = judge(sample, PROBLEMS, mode="isolated", workers=1)
    assert isolated.passed, isolated.stderr[-1000:]  # alone, `src.rs` is its own file
    assert batched.judged_by == "isolated: file inclusion"
    assert [getattr(batched, f) for f in AGREED_FIELDS] == [getattr(isolated, f) for f in AGREED_FIELDS]
    assert re.search(r"include_str\s*!", code_mask(sample[0]["completion"]))

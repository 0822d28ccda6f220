"""What the model is shown (generation/prompts.py) and which generation settings are refused (settings.py)."""

from __future__ import annotations

import pytest

from sigil_eval.crates.task import task_from_row
from sigil_eval.errors import InputError
from sigil_eval.generation.prompts import (
    CRATE_ASK,
    CRATE_SYSTEM,
    SYSTEM,
    chat_messages,
    code_shown,
    crate_request,
    stop_sequences,
)
from sigil_eval.generation.settings import DEFAULT_STOP, GenerationSettings
from sigil_eval.inputs.problemsets import problem_from_row

from .test_crate_tasks import ROW as CRATE_ROW

SETTINGS = GenerationSettings(base_url="http://127.0.0.1:8000/v1", model="m")

HUMANEVAL_X = {
    "task_id": "Rust/0",
    "prompt": "/// Add two numbers.\n",
    "declaration": "use std::collections::HashMap;\n\nfn add(a: i32, b: i32) -> i32 {\n",
    "test": "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { assert_eq!(add(1, 2), 3); }\n}\n",
}
MULTIPL_E = {
    "name": "mbpp_1_add",
    "prompt": "/// Add.\nfn add(a: isize, b: isize) -> isize {\n",
    "tests": "}\n\nfn main() {\n    assert_eq!(add(1, 2), 3);\n}\n",
    "stop_tokens": ["\n}"],
}


def test_completions_see_the_declared_uses_and_the_prompt_up_to_the_open_signature() -> None:
    shown = code_shown(problem_from_row(HUMANEVAL_X))
    assert shown.startswith("use std::collections::HashMap;")
    assert shown.rstrip().endswith("fn add(a: i32, b: i32) -> i32 {") and "/// Add two numbers." in shown


def test_stop_sequences_come_from_the_flag_then_the_set_then_the_default() -> None:
    multipl_e = problem_from_row({**MULTIPL_E, "stop_tokens": ["\n}", "\nfn "]})
    assert stop_sequences(multipl_e, SETTINGS) == ["\n}", "\nfn "]
    assert stop_sequences(problem_from_row(HUMANEVAL_X), SETTINGS) == list(DEFAULT_STOP)
    flagged = GenerationSettings(base_url="http://x", model="m", stop=("\n\n",))
    assert stop_sequences(multipl_e, flagged) == ["\n\n"]


def test_the_chat_template_puts_the_code_in_a_rust_block_and_the_prefix_last() -> None:
    problem = problem_from_row(HUMANEVAL_X)
    messages = chat_messages(problem, SETTINGS)
    assert [m["role"] for m in messages] == ["system", "user"] and messages[0]["content"] == SYSTEM
    assert "```rust\n" + code_shown(problem).rstrip() + "\n```" in messages[1]["content"]
    prefixed = GenerationSettings(base_url="http://x", model="m", system="Be brief.", response_prefix="```rust\n")
    messages = chat_messages(problem, prefixed)
    assert messages[0]["content"] == "Be brief." and messages[-1] == {"role": "assistant", "content": "```rust\n"}


def test_bad_stop_tokens_in_a_row_are_refused() -> None:
    with pytest.raises(ValueError, match="stop_tokens"):
        problem_from_row({**MULTIPL_E, "stop_tokens": "\n}"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"base_url": "127.0.0.1:8000"}, "--base-url"),
        ({"model": ""}, "--model"),
        ({"n": 0}, "--n"),
        ({"concurrency": 0}, "--concurrency"),
        ({"max_retries": -1}, "--max-retries"),
        ({"request_timeout": 0}, "--request-timeout"),
        ({"temperature": 3.0}, "--temperature"),
        ({"top_p": 0.0}, "--top-p"),
    ],
)
def test_settings_refuse_what_cannot_work(change: dict[str, object], message: str) -> None:
    fields = {"base_url": "http://x", "model": "m", **change}
    with pytest.raises(InputError, match=message):
        GenerationSettings(**fields).validate()  # type: ignore[arg-type]


def test_a_crate_task_shows_the_files_to_edit_then_the_instructions() -> None:
    task = task_from_row(CRATE_ROW)
    messages = chat_messages(task, GenerationSettings(base_url="http://x", model="m", api="chat"))
    user = messages[1]["content"]
    stub, manifest = user.index("src/lib.rs\n```rust\npub fn is_leap"), user.index("[package]")
    assert messages[0]["content"] == CRATE_SYSTEM
    assert stub < manifest < user.index("Leap years.") < user.index(CRATE_ASK)  # Aider's order: files, then the task
    assert "fn y2000" not in user  # the tests are not shown
    fenced = task_from_row(CRATE_ROW | {"src": {"src/lib.rs": "/// ```\n/// x\n/// ```\npub fn f() {}\n"}})
    assert "````rust\n/// ```" in crate_request(fenced)  # a file holding a fence gets a longer one


def test_a_crate_task_is_not_continued_by_a_base_model() -> None:
    with pytest.raises(InputError, match="--api chat"):
        code_shown(task_from_row(CRATE_ROW))

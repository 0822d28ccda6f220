"""`--policy`: the deny-list sees through aliases of std and of its modules."""

from __future__ import annotations

import pytest

from sigil_eval.program.policy import policy_violation


@pytest.mark.parametrize(
    "code",
    [
        "use std as s;\nfn f() { s::process::exit(0) }",
        "extern crate std as s;",
        "use ::std as s;",
        "use std::process as p;\nfn f() { p::exit(0) }",
        "use std::{process as p};",
        "use ::std::{fs as f};",
        "fn f() { std::process::exit(0) }",
        'fn f() -> bool { std::env::var("X").is_ok() }',
        'fn f() { let _ = std::fs::read("/etc/shadow"); }',
    ],
)
def test_denied_apis_are_found_through_aliases(code: str) -> None:
    assert policy_violation(code) is not None


@pytest.mark.parametrize(
    "code",
    [
        "fn f(a: &mut i32, b: &mut i32) { std::mem::swap(a, b) }",
        "use std::collections::HashMap;",
        "// std::process::exit(0)\nfn f() {}",
        'fn f() -> &\'static str { "std::fs" }',
        "fn f(env: i32) -> i32 { env + 1 }",
    ],
)
def test_allowed_code_stays_allowed(code: str) -> None:
    assert policy_violation(code) is None

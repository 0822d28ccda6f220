"""Which crates may share a workspace (`crates.route`), a member's renamed manifest (`crates.harnessed.as_member`),
a member's diagnostics as alone (`crates.cargo_build`), and the mutants the differential proofs use."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import msgspec
import pytest

from sigil_eval.crates.cargo_build import CrateBuild, _as_alone
from sigil_eval.crates.harnessed import _exported, _pinned, as_member
from sigil_eval.crates.mutants import crate_mutants
from sigil_eval.crates.route import alone_reason, batch_key
from sigil_eval.crates.task import CrateTask

LIB = "pub fn area(side: u32) -> u32 {\n    side * side\n}\n"
TASK = CrateTask(
    task_id="square",
    crate_name="square",
    cargo_toml='[package]\nname = "square"\nversion = "0.1.0"\nedition = "2021"\n',
    sources={"src/lib.rs": LIB},
    tests={"tests/square.rs": "use square::*;\n#[test]\nfn two() { assert_eq!(area(2), 4); }\n"},
    editable=("src/lib.rs",),
)


def with_manifest(extra: str, edition: str = "2021") -> CrateTask:
    manifest = f'[package]\nname = "square"\nversion = "0.1.0"\nedition = "{edition}"\n{extra}'
    return msgspec.structs.replace(TASK, cargo_toml=manifest)


def test_a_plain_library_crate_may_share_a_workspace() -> None:
    assert alone_reason(TASK, {"src/lib.rs": LIB}) is None


@pytest.mark.parametrize(
    ("manifest", "files", "reason"),
    [
        ("[profile.dev]\nopt-level = 3\n", {}, "root_only_manifest"),
        ('[patch.crates-io]\nrand = { path = "x" }\n', {}, "root_only_manifest"),
        ("[workspace]\n", {}, "root_only_manifest"),
        ('links = "z"\n', {}, "root_only_manifest"),
        ("", {"build.rs": "fn main() {}\n"}, "build_script"),
        ("", {"Cargo.lock": "version = 3\n"}, "lockfile"),
        ("", {"src/main.rs": "fn main() {}\n"}, "binaries"),
        ("[lib]\nproc-macro = true\n", {}, "not_a_library"),
    ],
)
def test_crates_a_workspace_would_change_are_judged_alone(manifest: str, files: dict[str, str], reason: str) -> None:
    assert alone_reason(with_manifest(manifest), {"src/lib.rs": LIB, **files}) == reason
    assert alone_reason(TASK, {"src/main.rs": "fn main() {}\n"}) == "not_a_library"


@pytest.mark.parametrize(
    "line",
    [
        'include!("../../sigil-member-0/src/lib.rs");',  # a neighbour's answer, read in at compile time
        'const S: &str = include_str!("../Cargo.toml");',
        'const B: &[u8] = ::core::include_bytes!("x");',
        "use std::include as take;",
        'const N: &str = env!("CARGO_PKG_NAME");',
        'const N: &str = std::env ! ("CARGO_MANIFEST_DIR");',
        "use std::env as e;",
        'const N: Option<&str> = option_env!("CARGO_PKG_NAME");',
        "const F: &str = file!();",
        '#[path = "../../sigil-member-0/src/lib.rs"]\nmod theirs;',
        '#[cfg_attr(all(), path = "x.rs")]\nmod theirs;',
        "fn f() -> u32 { std::panic::Location::caller().line() }",
        "fn f() { std::panic::set_hook(Box::new(|i| { let _ = i.location(); })); }",
    ],
)
def test_code_that_can_see_its_place_is_judged_alone(line: str) -> None:
    assert alone_reason(TASK, {"src/lib.rs": LIB + line + "\n"}) == "place_aware"


@pytest.mark.parametrize(
    "line",
    [
        '// include!("x") in a comment, env!() too',
        'const S: &str = "file!() and #[path = x] in a string";',
        "fn f(path: &str, file: u8) { let path = path; let env = std::env::args(); }",
        "fn include_all() {}",
    ],
)
def test_words_in_comments_strings_and_names_are_not_place_aware(line: str) -> None:
    assert alone_reason(TASK, {"src/lib.rs": LIB + line + "\n"}) is None


def test_tests_that_see_their_place_keep_the_task_alone() -> None:
    task = msgspec.structs.replace(TASK, tests={"tests/square.rs": 'const N: &str = env!("CARGO_PKG_NAME");\n'})
    assert alone_reason(task, {"src/lib.rs": LIB}) == "place_aware"


def test_only_crates_with_the_same_dependencies_and_resolver_share_a_key() -> None:
    plain = batch_key(TASK)
    assert batch_key(msgspec.structs.replace(TASK, task_id="other")) == plain  # no dependencies: any task
    assert batch_key(with_manifest("", edition="2018")) != plain  # resolver 1, not 2
    assert batch_key(with_manifest('resolver = "2"\n', edition="2018")) == plain
    rand = batch_key(with_manifest('[dependencies]\nrand = "0.8"\n'))
    assert rand != plain and rand != batch_key(with_manifest('[dependencies]\nrand = "0.7"\n'))
    featured = with_manifest('[dependencies]\nrand = "0.8"\n[features]\nsmall = ["rand/small_rng"]\n')
    assert batch_key(featured) != rand  # `--all-features` would switch `small_rng` on for every member


@pytest.mark.parametrize(
    "manifest",
    [
        '[package]\nname = "my-crate"\nversion = "0.1.0"\n',
        '[package]\nversion = "0.1.0"\n  name = "my-crate" # named\n\n[dependencies]\nx = "1"\n',
        '[package]\nname = "my-crate"\n\n[lib]\npath = "src/lib.rs"\n\n[dev-dependencies]\ny = "1"\n',
        '[package]\nname = "my-crate"\n\n[lib]\nname = "my_crate"\n',
    ],
)
def test_a_member_is_renamed_and_its_library_keeps_its_name(manifest: str) -> None:
    renamed = as_member(manifest, "sigil-member-3")
    assert renamed is not None
    parsed, original = tomllib.loads(renamed), tomllib.loads(manifest)
    assert parsed["package"]["name"] == "sigil-member-3" and parsed["lib"]["name"] == "my_crate"
    del parsed["package"]["name"], original["package"]["name"]
    parsed["lib"].pop("name")
    original.setdefault("lib", {}).pop("name", None)
    assert {k: v for k, v in parsed.items() if v} == {k: v for k, v in original.items() if v}  # nothing else


def test_a_manifest_naming_its_package_elsewhere_is_not_rewritten() -> None:
    assert as_member('package.name = "x"\npackage.version = "0.1.0"\n', "sigil-member-0") is None


def test_a_members_diagnostics_read_as_alone() -> None:
    rendered = "error[E0425]: x\n --> sigil-member-3/src/lib.rs:2:5\n  ::: sigil-member-3/tests/a.rs:1:1\n"
    root = Path("/w")
    assert (
        _as_alone(rendered, root / "sigil-member-3", root)
        == "error[E0425]: x\n --> src/lib.rs:2:5\n  ::: tests/a.rs:1:1\n"
    )
    assert _as_alone("x-sigil-member-3/y", root / "sigil-member-3", root) == "x-sigil-member-3/y"
    assert _as_alone(rendered, root, root) == rendered


def test_errors_read_the_same_whatever_order_cargo_finished_its_units_in() -> None:
    """By target (the library first), then by place; the library's errors once though it is compiled twice (as
    itself and with its unit tests, which may add errors of their own)."""
    lib, lib_test, tests = (0, "x", 0, "src/lib.rs"), (0, "x", 0, "src/lib.rs"), (1, "a", 0, "tests/a.rs")
    arrivals = [
        [
            ((*lib, 3, 1), "e3"),
            ((*lib, 9, 1), "e9"),
            ((*lib_test, 3, 1), "e3"),
            ((*lib_test, 5, 1), "t5"),
            ((*lib_test, 9, 1), "e9"),
            ((*tests, 1, 1), "a1"),
            ((0, "x", 1, "", 0, 0), "aborting"),
        ],
    ]
    rng = random.Random(3)
    for _ in range(20):
        arrivals.append(rng.sample(arrivals[0], len(arrivals[0])))
    rendered = set()
    for errors in arrivals:
        build = CrateBuild()
        build.errors = errors
        rendered.add(build.rendered_errors)
    assert rendered == {"e3t5e9abortinga1"}


def test_mutants_change_the_solution_in_each_way() -> None:
    source = "pub fn f(a: u32) -> bool {\n    // a + 1\n    a + 1 < 3 && true\n}\n"
    mutants = dict(crate_mutants(source, random.Random(1)))
    assert set(mutants) == {"line_dropped", "truncated", "markdown", "operator", "off_by_one"}
    assert mutants["operator"] == source.replace("a + 1 <", "a - 1 <")  # code only: the comment is left alone
    assert mutants["off_by_one"] in {source.replace("+ 1 <", "+ 2 <"), source.replace("< 3", "< 4")}
    assert all(text != source for text in mutants.values())


def test_the_tests_get_std_macros_by_path_and_the_prelude_by_name() -> None:
    tests = "#![allow(unused)]\nuse square::*;\nuse square::Result;\n"
    tests += "#[test]\nfn t() { assert_eq!(area(2), 4); let _ = Some(1); }\n"
    tests += "mod more {\n    use super::*;\n    use ::square :: shapes::*;\n}\n"
    stub = "pub enum Error {}\npub fn area(side: u32) -> u32 { todo!() }\npub use std::vec::Vec;\n"
    pinned = _pinned(tests, _exported([stub]), "2021")
    assert pinned.startswith("#![allow(unused)]\nuse square::*;\n#[allow(unused_imports)]\nuse ::std::prelude")
    assert pinned.count("use ::std::prelude::v1::") == 2  # after each glob of the answer's crate, not `super::*`
    assert "::std::assert_eq!(area(2), 4)" in pinned
    imported = pinned.split("use ::std::prelude::v1::{", 1)[1].split("}", 1)[0].split(", ")
    assert "Some" in imported and "Err" in imported and "Box" in imported
    assert "Result" not in imported  # the file imports the crate's own
    assert "Vec" not in imported  # the task's crate exports it: the tests may mean it
    assert "use ::std::convert::TryFrom;" in pinned  # the 2021 prelude, in a 2021 crate
    assert "TryFrom" not in _pinned(tests, set(), "2018")

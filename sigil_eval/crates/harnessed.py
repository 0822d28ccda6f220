"""A crate as it is built and judged: the task's files with an answer's editable ones over them, every test file a
`harness = false` target whose `main` hands each `#[test]` function to our forking harness (`runner/harness.rs`)
as an entry of its own — `#[ignore]`d ones too (`--include-ignored`), `#[should_panic]` and tests returning
`Result` wrapped to keep libtest's meaning — and the task's manifest with those targets and the harness added."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sigil_eval.crates.task import CrateTask
from sigil_eval.crates.warm import HARNESS_PACKAGE
from sigil_eval.errors import InputError
from sigil_eval.program.rust_lexer import code_mask
from sigil_eval.program.std_macros import pin_std_macros
from sigil_eval.runner.batch.source import exposed_tests

# the prelude's names (v1; the 2021 edition adds three): a test file `use`s the answer's crate by glob, and a glob
# import shadows the prelude, so an answer exporting `pub fn Err` would give the tests its own `Err`
_PRELUDE = [
    "Copy",
    "Send",
    "Sized",
    "Sync",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "drop",
    "Box",
    "ToOwned",
    "Clone",
    "PartialEq",
    "PartialOrd",
    "Eq",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Default",
    "Iterator",
    "Extend",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "ToString",
    "Vec",
]
_PRELUDE_2021 = {
    "TryFrom": "::std::convert::TryFrom",
    "TryInto": "::std::convert::TryInto",
    "FromIterator": "::std::iter::FromIterator",
}
_PUBLIC_ITEM = re.compile(
    r"\bpub(?:\s*\([^)]*\))?\s+(?:unsafe\s+|async\s+|const\s+)*(?:fn|struct|enum|type|trait|const|static|mod|union)\s+(?:r#)?(\w+)"
)
_DEFINED = re.compile(r"\b(?:fn|struct|enum|type|trait|const|static|mod|union|macro_rules\s*!)\s+(?:r#)?(\w+)")
_USE = re.compile(r"\b(?:pub\s+)?use\b[^;]*;")
_GLOB_IMPORT = re.compile(r"\buse\s+(?:::\s*)?(\w+)\s*(?:::\s*\w+\s*)*::\s*\*\s*;")
_OWN_ROOTS = {"std", "core", "alloc", "super", "self", "crate"}  # globs that cannot reach an answer's names
_SHOULD_PANIC = re.compile(r"#\s*\[\s*should_panic\s*(?:\(\s*expected\s*=\s*(\"(?:[^\"\\]|\\.)*\")\s*\))?\s*\]")
_IGNORE = re.compile(r"#\s*\[\s*ignore\s*(?:=\s*\"(?:[^\"\\]|\\.)*\"\s*)?\]")


@dataclass(frozen=True, slots=True)
class CrateTest:
    path: str  # in its file's crate (`module::name`)
    should_panic: str | None  # None: must not panic; "": any panic; else the text the panic must contain
    returns: bool  # returns a Result


def _tests_of(text: str) -> tuple[str, list[CrateTest]] | None:
    """The test file with its tests reachable from its root, and its tests; None when a test cannot be reached."""
    exposed = exposed_tests(text)
    if exposed is None:
        return None
    rewritten, paths = exposed
    mask = code_mask(text)
    tests = []
    for path in paths:
        name = path.rsplit("::", 1)[-1]
        head = re.search(rf"\bfn\s+{re.escape(name)}\s*\(\s*\)\s*(->)?", mask)
        start = head.start() if head else 0
        attributes = text[max(0, mask.rfind("}", 0, start), mask.rfind(";", 0, start)) + 1 : start]
        panic = _SHOULD_PANIC.search(attributes)
        expected = None if panic is None else json.loads(panic.group(1)) if panic.group(1) else ""
        tests.append(CrateTest(path, expected, bool(head and head.group(1))))
    return _IGNORE.sub("", rewritten), tests


def _runner_main(tests: list[CrateTest]) -> str:
    """Appended to a test file: one wrapper per test, and `main` handing them to the harness, one entry each."""
    out = ["\n#[allow(dead_code)]\nfn main() {\n    ::sigil_harness::run(&["]
    wrappers = []
    for i, test in enumerate(tests):
        out.append(
            f"        ::sigil_harness::Entry {{ index: {i}, main_style: false, oracle: false, "
            f"tests: &[({json.dumps(test.path)}, __sigil_test_{i})] }},"
        )
        call = f"{test.path}()"
        if test.returns:
            call = f'if let ::core::result::Result::Err(e) = {call} {{ ::core::panic!("{{e:?}}") }}'
        if test.should_panic is None:
            wrappers.append(f"fn __sigil_test_{i}() {{ {call}; }}")
            continue
        wrappers.append(
            f"fn __sigil_test_{i}() {{\n"
            f"    let outcome = ::std::panic::catch_unwind(|| {{ {call}; }});\n"
            "    let payload = match outcome {\n"
            '        ::core::result::Result::Ok(()) => ::core::panic!("the test did not panic"),\n'
            "        ::core::result::Result::Err(payload) => payload,\n"
            "    };\n"
            "    let message = payload.downcast_ref::<&str>().map(|s| s.to_string())"
            ".or_else(|| payload.downcast_ref::<::std::string::String>().cloned()).unwrap_or_default();\n"
            f"    if !message.contains({json.dumps(test.should_panic)}) {{\n"
            '        ::core::panic!("the panic did not hold the expected text");\n'
            "    }\n}"
        )
    out.append("    ]);\n}\n")
    return "\n".join(out) + "\n".join(wrappers) + "\n"


def _manifest(cargo_toml: str, test_names: list[str], harness: Path) -> str:
    """The crate's Cargo.toml with its test targets run by our harness and the harness as a dev-dependency."""
    dependency = f'{HARNESS_PACKAGE} = {{ path = "{harness}" }}'
    lines = cargo_toml.rstrip("\n").split("\n")
    header = next((i for i, line in enumerate(lines) if line.strip() == "[dev-dependencies]"), None)
    if header is None:
        lines += ["", "[dev-dependencies]", dependency]
    else:
        lines.insert(header + 1, dependency)
    for name in test_names:
        lines += ["", "[[test]]", f'name = "{name}"', f'path = "tests/{name}.rs"', "harness = false"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class HarnessedCrate:
    files: dict[str, str]  # path in the crate → text, its `Cargo.toml` included
    tests: dict[str, list[CrateTest]]  # test target → its tests, in the order of their harness entries
    ignored: tuple[str, ...]  # files the answer wrote that are not taken (its `Cargo.toml`)
    answer: tuple[str, ...]  # the files the answer wrote that are taken (where its clippy lints count)


def unjudgeable(task: CrateTask) -> str | None:
    """Why no answer to `task` can be judged — a test the harness cannot reach (one a macro writes, or inside a
    function or block) — or None. Its answers are rejected, named; the other tasks go on."""
    for path, text in sorted(task.tests.items()):
        if _tests_of(text) is None:
            return (
                f"crate task {task.task_id}: {path}: a test sits where the harness cannot reach it (a macro or a block)"
            )
    return None


def harnessed_crate(task: CrateTask, written: dict[str, str], harness: Path) -> HarnessedCrate:
    """The crate to build: the task's files, the answer's editable ones over them, the tests under our harness."""
    files = {**task.sources, **written}
    # the task's manifest, always: one written by an answer could rename its package to the harness's, point a
    # `[patch]` at its own code or add crates the offline cache lacks (said in `ignored_files`)
    ignored = ("Cargo.toml",) if files.pop("Cargo.toml", None) is not None else ()
    exported = _exported(task.sources.values())
    edition = str((tomllib.loads(task.cargo_toml).get("package") or {}).get("edition", "2015"))
    tests = {}
    for path, text in sorted(task.tests.items()):
        found = _tests_of(_pinned(text, exported, edition))
        if found is None:
            raise InputError(f"crate task {task.task_id}: {path}: a test sits where the harness cannot reach it")
        name = Path(path).stem
        tests[name] = found[1]
        files[f"tests/{name}.rs"] = found[0] + _runner_main(found[1])
    files["Cargo.toml"] = _manifest(task.cargo_toml, list(tests), harness)
    return HarnessedCrate(files, tests, ignored, tuple(sorted(written)))


def _exported(sources: Iterable[str]) -> set[str]:
    """The names the task's own crate exports (its stub's `pub` items and `pub use`s): the tests may mean them."""
    names: set[str] = set()
    for text in sources:
        mask = code_mask(text)
        names.update(_PUBLIC_ITEM.findall(mask))
        names.update(
            word for use in _USE.findall(mask) if use.lstrip().startswith("pub") for word in re.findall(r"\w+", use)
        )
    return names


def _pinned(tests: str, exported: set[str], edition: str) -> str:
    """`tests` with std's macros named by path and, after every glob import of another crate's names (the
    answer's: `use square::*;`), the prelude's names imported by name — those the task's crate does not export
    and the file does not define or import itself — so that nothing an answer exports can stand in for them.
    Both mean what they meant: std's, in every edition."""
    tests = pin_std_macros(tests)
    mask = code_mask(tests)
    own = set(_DEFINED.findall(mask)) | {word for use in _USE.findall(mask) for word in re.findall(r"\w+", use)}
    names = [name for name in _PRELUDE if name not in exported and name not in own]
    later = [path for name, path in _PRELUDE_2021.items() if edition >= "2021" and name not in exported | own]
    if not names and not later:
        return tests
    lines = [f"use ::std::prelude::v1::{{{', '.join(names)}}};", *(f"use {path};" for path in later)]
    block = "".join(f"\n#[allow(unused_imports)]\n{line}" for line in lines)
    for glob in reversed(list(_GLOB_IMPORT.finditer(mask))):
        if glob.group(1) not in _OWN_ROOTS:
            tests = tests[: glob.end()] + block + tests[glob.end() :]
    return tests


def as_member(manifest: str, package: str) -> str | None:
    """`manifest` with its package renamed to `package` (workspace members need names of their own) and its
    library keeping its name (the tests `use` it); None when the manifest is not in a shape this can rewrite."""
    parsed = tomllib.loads(manifest)
    lib_name = (parsed.get("lib") or {}).get("name") or str(parsed["package"]["name"]).replace("-", "_")
    lines = manifest.split("\n")
    tables = [i for i, line in enumerate(lines) if re.match(r"\s*\[", line)] + [len(lines)]
    renamed = False
    for start, end in itertools.pairwise(tables):
        header = lines[start].split("#")[0].strip()
        for i in range(start + 1, end):
            if header == "[package]" and re.match(r"\s*name\s*=", lines[i]):
                lines[i], renamed = f'name = "{package}"', True
            if header == "[lib]" and re.match(r"\s*name\s*=", lines[i]):
                lib_name = ""  # named already
    if not renamed:
        return None
    if lib_name:
        lib = next((i for i in tables[:-1] if lines[i].split("#")[0].strip() == "[lib]"), None)
        if lib is None:
            lines += ["", "[lib]", f'name = "{lib_name}"']
        else:
            lines.insert(lib + 1, f'name = "{lib_name}"')
    text = "\n".join(lines)
    try:
        again = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    kept = (again.get("lib") or {}).get("name") == (lib_name or (parsed.get("lib") or {}).get("name"))
    return text if (again.get("package") or {}).get("name") == package and kept else None

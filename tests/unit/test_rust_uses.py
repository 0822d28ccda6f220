from sigil_eval.program.rust_uses import Import, flatten_use, imports_of, split_uses, without_repeated_imports


def test_use_trees_flatten_to_single_imports() -> None:
    visibility, imports = flatten_use("pub use std::{collections::{HashMap, HashSet as S}, io::{self, Read}, fmt::*};")
    assert visibility == "pub "
    assert imports == [
        Import("std::collections::HashMap", "HashMap"),
        Import("std::collections::HashSet", "S"),
        Import("std::io", "io"),
        Import("std::io::Read", "Read"),
        Import("std::fmt::*", "*"),
    ]
    assert flatten_use("use ::std::cmp::max;") == ("", [Import("std::cmp::max", "max")])
    assert flatten_use("use std::cmp::{max,};") == ("", [Import("std::cmp::max", "max")])
    assert flatten_use("use std::{cmp::max;") is None  # unreadable: left to the compiler


def test_only_exact_repeats_are_dropped_and_the_rest_rewritten() -> None:
    prompt = "use std::collections::HashMap;\nuse std::cmp::max;\n\nfn f() {}\n"
    answer = (
        "use std::collections::HashMap;\nuse std::collections::{HashMap, HashSet};\nuse std::cmp::max as biggest;\n"
        "use std::cmp::max;\nfn f() {\n    use std::collections::HashMap;\n}\n"
    )
    cleaned = without_repeated_imports(answer, imports_of(prompt))
    assert cleaned == (
        "use std::collections::HashSet;\nuse std::cmp::max as biggest;\n"
        "fn f() {\n    use std::collections::HashMap;\n}\n"  # a use inside a body is another scope: kept
    )


def test_split_uses_leaves_relative_paths_in_place() -> None:
    code = (
        "use std::collections::HashMap;\n/// doc\npub use std::{\n    cmp::max,\n    fmt,\n};\n"
        "use super::x;\nfn f() {}\n"
    )
    uses, rest = split_uses(code)
    assert uses == "use std::collections::HashMap;\npub use std::{ cmp::max, fmt, };"
    assert rest == "/// doc\nuse super::x;\nfn f() {}\n"

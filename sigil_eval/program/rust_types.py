"""The Rust types our HumanEval signatures use, and Python values written as Rust expressions of those types.

Type conventions (one place): Python `int` → `i64`; `float` → `f64`; `bool` → `bool`; a one-letter `str` key →
`char`; `str` → `&str` in arguments, `String` in results; `list` → `&[T]` in arguments, `Vec<T>` in results;
a fixed-size `tuple` → a Rust tuple; `None`-or-value → `Option<T>`; `dict` → `HashMap<K, V>` in results and a
slice of pairs in arguments (Python keeps insertion order, a `HashMap` would not); values of mixed Python types
→ the `Value` enum the prompt defines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RustType:
    name: str  # "i64", "f64", "bool", "char", "&str", "String", "Value", "&[]", "Vec", "Option", "tuple", "HashMap"
    args: tuple[RustType, ...] = ()

    def __str__(self) -> str:
        if self.name == "&[]":
            return f"&[{self.args[0]}]"
        if self.name == "tuple":
            return "(" + ", ".join(map(str, self.args)) + ")"
        if self.args:
            return f"{self.name}<{', '.join(map(str, self.args))}>"
        return self.name

    @property
    def owned(self) -> str:
        """The type spelled without borrows (what a `let` holding a literal of it would be)."""
        if self.name == "&str":
            return "String"
        if self.name in ("&[]", "Vec"):
            return f"Vec<{self.args[0].owned}>"
        if self.name == "tuple":
            return "(" + ", ".join(a.owned for a in self.args) + ")"
        if self.args:
            return f"{self.name}<{', '.join(a.owned for a in self.args)}>"
        return self.name


_SCALARS = ("i64", "f64", "bool", "char", "&str", "String", "Value")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def eat(self, token: str) -> bool:
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.eat(token):
            raise ValueError(f"expected {token!r} at {self.pos} in {self.text!r}")

    def parse(self) -> RustType:
        if self.eat("&["):
            inner = self.parse()
            self.expect("]")
            return RustType("&[]", (inner,))
        if self.eat("("):
            items = [self.parse()]
            while self.eat(","):
                items.append(self.parse())
            self.expect(")")
            return RustType("tuple", tuple(items))
        for generic in ("Vec", "Option", "HashMap"):
            if self.eat(generic + "<"):
                items = [self.parse()]
                while self.eat(","):
                    items.append(self.parse())
                self.expect(">")
                return RustType(generic, tuple(items))
        for scalar in _SCALARS:
            if self.eat(scalar):
                return RustType(scalar)
        raise ValueError(f"unknown type at {self.pos} in {self.text!r}")


def parse_type(text: str) -> RustType:
    parser = _Parser(text)
    result = parser.parse()
    if parser.pos != len(parser.text):
        raise ValueError(f"trailing text in type {text!r}")
    return result


def rust_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def rust_char(ch: str) -> str:
    return "'" + ("\\'" if ch == "'" else rust_str(ch)[1:-1].replace('\\"', '"')) + "'"


def rust_float(value: float) -> str:
    if math.isnan(value):
        return "f64::NAN"
    if math.isinf(value):
        return "f64::INFINITY" if value > 0 else "f64::NEG_INFINITY"
    text = repr(float(value))
    return text if any(c in text for c in ".e") else text + ".0"


def literal(value: Any, ty: RustType) -> str:
    """`value` as a Rust expression of type `ty`; ValueError when the value does not fit the type."""
    name = ty.name
    if name == "i64":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not an i64")
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"{value} overflows i64")
        return str(value)
    if name == "f64":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not an f64")
        return rust_float(value)
    if name == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a bool")
        return "true" if value else "false"
    if name == "char":
        if not (isinstance(value, str) and len(value) == 1):
            raise ValueError(f"{value!r} is not a char")
        return rust_char(value)
    if name in ("&str", "String"):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        return rust_str(value) if name == "&str" else f"String::from({rust_str(value)})"
    if name == "Value":
        return _value_literal(value)
    if name == "Option":
        return "None" if value is None else f"Some({literal(value, ty.args[0])})"
    if name == "tuple":
        if not isinstance(value, tuple | list) or len(value) != len(ty.args):
            raise ValueError(f"{value!r} is not a {len(ty.args)}-tuple")
        return "(" + ", ".join(literal(v, t) for v, t in zip(value, ty.args, strict=True)) + ")"
    if name in ("&[]", "Vec"):
        items = list(value.items()) if isinstance(value, dict) else value
        if not isinstance(items, list | tuple):
            raise ValueError(f"{value!r} is not a sequence")
        body = ", ".join(literal(v, ty.args[0]) for v in items)
        if name == "&[]":
            return f"&[{body}]"
        return f"vec![{body}]" if items else f"Vec::<{ty.args[0].owned}>::new()"
    if name == "HashMap":
        if not isinstance(value, dict):
            raise ValueError(f"{value!r} is not a dict")
        key, val = ty.args
        if not value:
            return f"HashMap::<{key.owned}, {val.owned}>::new()"
        pairs = ", ".join(f"({literal(k, key)}, {literal(v, val)})" for k, v in value.items())
        return f"HashMap::from([{pairs}])"
    raise ValueError(f"no literal for type {ty}")


def _value_literal(value: Any) -> str:
    if value is None:
        return "Value::None"
    if isinstance(value, bool):
        return f"Value::Bool({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"Value::Int({value})"
    if isinstance(value, float):
        return f"Value::Float({rust_float(value)})"
    if isinstance(value, str):
        return f"Value::Str(String::from({rust_str(value)}))"
    if isinstance(value, list | tuple):
        return "Value::List(vec![" + ", ".join(_value_literal(v) for v in value) + "])"
    if isinstance(value, dict):
        pairs = ", ".join(f"({_value_literal(k)}, {_value_literal(v)})" for k, v in value.items())
        return f"Value::Dict(vec![{pairs}])"
    raise ValueError(f"no Value variant for {type(value).__name__}")


VALUE_ENUM = """\
/// A value of any Python type, for the problems whose inputs or outputs mix types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}
"""

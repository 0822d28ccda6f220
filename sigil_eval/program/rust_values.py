"""Rust value expressions and result types read in Python: what turns a test's `assert_eq!(f(x), vec![1, 2])` into
data the evaluator compares outside the sample's process.

`value(text)` evaluates the literal forms tests write for expected values — numbers, `true`/`false`, chars,
strings (`"a"`, `r"a"`, `"a".to_string()`, `String::from("a")`, `.into()`, `.to_owned()`, `String::new()`),
`vec![…]`, `vec![x; n]`, `[…]`, `&…`, `Vec::new()`, tuples, `Some(…)`/`None`, `HashMap::from([…])` — into Python
values (a tuple for a Rust tuple, a dict for a map, None for `None`), and raises `NotALiteral` for anything else
(a call, a variable, arithmetic): such a test keeps its in-process form.

`result_type(text)` reads a return type into a `RustType` the oracle can carry (every integer type, `f32`,
`f64`, `bool`, `char`, `String`, `&str`, `Vec`, `Option`, `HashMap`, tuples), lifetimes dropped.
"""

from __future__ import annotations

import re
from typing import Any

from sigil_eval.program.rust_types import RustType


class NotALiteral(ValueError):
    """The expression is not one of the literal forms `value` reads."""


INTEGER_TYPES = frozenset(["i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize"])
FLOAT_TYPES = frozenset(["f32", "f64"])
_SCALAR_TYPES = INTEGER_TYPES | FLOAT_TYPES | {"bool", "char", "String", "str"}
_GENERIC_ARITY = {"Vec": 1, "Option": 1, "HashMap": 2}
_PATH_ROOTS = frozenset(["std", "core", "alloc", "vec", "string", "option", "collections", "primitive"])

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<raw>r(?P<hashes>\#*)")
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<char>'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]{1,6}\}|.)|[^\\'])')
  | (?P<lifetime>'[A-Za-z_]\w*)
  | (?P<number>\d[\d_]*(?:\.(?!\.)[\d_]*)?(?:[eE][+-]?\d[\d_]*)?(?:_?(?:[iu](?:8|16|32|64|128|size)|f32|f64))?)
  | (?P<path>[A-Za-z_]\w*(?:\s*::\s*(?:<[^<>]*>|[A-Za-z_]\w*))*)
  | (?P<punct>::|->|[-!&*/%()\[\]{},;:<>=.|+])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}
_NUMBER_SUFFIX = re.compile(r"_?(?:[iu](?:8|16|32|64|128|size)|f32|f64)$")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            raise NotALiteral(f"unexpected {text[i : i + 10]!r}")
        kind = m.lastgroup or ""
        if kind == "raw" or m.group("raw"):
            closing = '"' + m.group("hashes")
            end = text.find(closing, m.end())
            if end < 0:
                raise NotALiteral("unterminated raw string")
            out.append(("str", text[m.end() : end]))
            i = end + len(closing)
            continue
        if kind == "hashes":  # the raw alternative matched through its inner group
            kind = "raw"
        if kind == "string":
            out.append(("str", _unescape(m.group()[1:-1])))
        elif kind == "char":
            out.append(("char", _unescape(m.group()[1:-1])))
        elif kind != "space":
            out.append((kind, re.sub(r"\s+", "", m.group())))
        i = m.end()
    return out


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u":
            close = body.index("}", i)
            out.append(chr(int(body[i + 3 : close].replace("_", ""), 16)))
            i = close + 1
        elif nxt == "\n":  # a line continuation: the newline and the next line's leading whitespace go
            i += 2
            while i < len(body) and body[i] in " \t\n\r":
                i += 1
        else:
            raise NotALiteral(f"unknown escape \\{nxt}")
    return "".join(out)


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def eat(self, text: str) -> bool:
        if self.peek()[1] == text and self.peek()[0] in ("punct", "path"):
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.eat(text):
            raise NotALiteral(f"expected {text!r}, found {self.peek()[1]!r}")

    def items(self, close: str) -> list[Any]:
        found: list[Any] = []
        while not self.eat(close):
            found.append(self.value())
            if not self.eat(","):
                self.expect(close)
                break
        return found

    def value(self) -> Any:
        """A sum of products of literals: `+ - * / %` on numbers, as Rust evaluates them."""
        found = self._product()
        while self.peek() in (("punct", "+"), ("punct", "-")):
            operator = self.take()[1]
            found = _arithmetic(operator, found, self._product())
        return found

    def _product(self) -> Any:
        found = self._postfix()
        while self.peek() in (("punct", "*"), ("punct", "/"), ("punct", "%")):
            operator = self.take()[1]
            found = _arithmetic(operator, found, self._postfix())
        return found

    def _postfix(self) -> Any:
        found = self._primary()
        while self.peek() == ("punct", "."):  # `.to_string()` and friends change the type, not the value
            method = self.peek(1)[1]
            if method not in ("to_string", "to_owned", "into", "to_vec", "clone") or self.peek(2)[1] != "(":
                raise NotALiteral(f"method {method!r}")
            self.pos += 3
            self.expect(")")
        return found

    def _primary(self) -> Any:
        kind, text = self.take()
        if kind in ("str", "char"):
            return text
        if kind == "number":
            return _number(text)
        if kind == "punct":
            if text == "-":
                number = self._postfix()
                if isinstance(number, bool) or not isinstance(number, int | float):
                    raise NotALiteral("minus before a non-number")
                return -number
            if text == "&":
                self.eat("mut")
                return self.value()
            if text == "[":
                return self._sequence("]")
            if text == "(":
                items = self.items(")")
                if len(items) == 1 and self.tokens[self.pos - 2] != ("punct", ","):
                    return items[0]  # parentheses, not a tuple
                return tuple(items)
        if kind == "path":
            return self._path(text)
        raise NotALiteral(f"unexpected {text!r}")

    def _sequence(self, close: str) -> list[Any]:
        if self.eat(close):
            return []
        first = self.value()
        if self.eat(";"):
            count = self.value()
            self.expect(close)
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100_000:
                raise NotALiteral("repeat count")
            return [first] * count
        if self.eat(close):
            return [first]
        self.expect(",")
        return [first, *self.items(close)]

    def _path(self, text: str) -> Any:
        if text in ("true", "false"):
            return text == "true"
        if text == "None":
            return None
        if text == "vec" and self.eat("!"):
            opening = self.take()[1]
            closing = {"[": "]", "(": ")", "{": "}"}.get(opening)
            if closing is None:
                raise NotALiteral("vec! without brackets")
            return self._sequence(closing)
        last = text.rsplit("::", 1)[-1]
        if last in ("new", "default") and self.eat("("):
            self.expect(")")
            kind = text.split("::")[0]
            if kind in ("String",):
                return ""
            if kind in ("Vec",):
                return []
            if kind in ("HashMap", "BTreeMap"):
                return {}
            raise NotALiteral(f"{text}()")
        if last == "from" and text.split("::")[0] in ("String", "HashMap", "BTreeMap", "Vec") and self.eat("("):
            inner = self.value()
            self.expect(")")
            if text.startswith(("HashMap", "BTreeMap")):
                return _mapping(inner)
            return inner
        if text == "Some" and self.eat("("):
            inner = self.value()
            self.expect(")")
            return _Some(inner)
        raise NotALiteral(f"the name {text!r}")


class Computed(float):
    """A float that arithmetic made, in double precision: Rust computes it in the type's own precision, which for
    f32 may round differently, so it is only read where an f64 goes."""

    __slots__ = ()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _arithmetic(operator: str, left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)) or isinstance(left, float) != isinstance(right, float):
        raise NotALiteral(f"{operator} on something other than two numbers of one kind")
    if isinstance(left, float):
        if operator in "/%" and right == 0:
            raise NotALiteral("division by zero")
        computed = {"+": left + right, "-": left - right, "*": left * right, "/": left / right}.get(operator)
        if computed is None:
            raise NotALiteral("% on floats")
        return Computed(computed)
    if operator in "/%":
        if right == 0:
            raise NotALiteral("division by zero")  # rustc refuses it
        quotient = abs(left) // abs(right) * (1 if (left < 0) == (right < 0) else -1)  # truncated, as Rust
        return quotient if operator == "/" else left - quotient * right
    return {"+": left + right, "-": left - right, "*": left * right}[operator]


class _Some:
    """`Some(x)`, kept apart from `x` until the expected type says whether an Option is wanted."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _mapping(pairs: Any) -> dict[Any, Any]:
    if not isinstance(pairs, list) or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise NotALiteral("a map built from something other than (key, value) pairs")
    return {_hashable(key): value for key, value in pairs}


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict | _Some):
        raise NotALiteral("a map key that is not a scalar")
    return key


def _number(text: str) -> int | float:
    digits = text.replace("_", "")
    suffix = _NUMBER_SUFFIX.search(text)
    if suffix:
        digits = digits[: len(digits) - len(suffix.group().lstrip("_"))]
    is_float = any(c in digits for c in ".eE") or (suffix is not None and suffix.group().lstrip("_")[0] == "f")
    return float(digits) if is_float else int(digits)


def integer_range(name: str) -> tuple[int, int]:
    """The values of integer type `name` (`isize`/`usize`: 64 bits, as on every target we run)."""
    bits = 64 if name.endswith("size") else int(name[1:])
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if name[0] == "i" else (0, (1 << bits) - 1)


def value(text: str) -> Any:
    """The Python value of a Rust literal expression; NotALiteral for anything else."""
    reader = _Reader(text)
    found = reader.value()
    if reader.peek()[0] != "end":
        raise NotALiteral(f"trailing {reader.peek()[1]!r}")
    return found


def typed(found: Any, ty: RustType) -> Any:
    """A value from `value` checked against the type it must have (as Rust would coerce it), in the JSON form
    the oracle compares (`oracle.canonical`); NotALiteral when it does not fit."""
    name = ty.name
    if name == "&":
        return typed(found, ty.args[0])
    if name == "Option":
        if found is None:
            return None
        if not isinstance(found, _Some):
            raise NotALiteral("an Option expected")
        return typed(found.value, ty.args[0])
    if isinstance(found, _Some) or found is None:
        raise NotALiteral(f"{name} expected, found an Option")
    if name in INTEGER_TYPES:
        if isinstance(found, bool) or not isinstance(found, int):
            raise NotALiteral(f"{name} expected")
        low, high = integer_range(name)
        if not low <= found <= high:
            raise NotALiteral(f"{found} does not fit {name}")  # rustc refuses the test itself
        return found
    if name in FLOAT_TYPES:
        if isinstance(found, bool) or not isinstance(found, float):
            raise NotALiteral(f"{name} expected")  # Rust refuses an integer literal where a float goes
        if isinstance(found, Computed) and name == "f32":
            raise NotALiteral("float arithmetic where an f32 goes")
        return float(found)
    if name == "bool":
        if not isinstance(found, bool):
            raise NotALiteral("bool expected")
        return found
    if name in ("String", "str", "char"):
        if not isinstance(found, str) or (name == "char" and len(found) != 1):
            raise NotALiteral(f"{name} expected")
        return found
    if name == "Vec":
        if not isinstance(found, list):
            raise NotALiteral("a Vec expected")
        return [typed(item, ty.args[0]) for item in found]
    if name == "tuple":
        if not isinstance(found, tuple) or len(found) != len(ty.args):
            raise NotALiteral(f"a tuple of {len(ty.args)} expected")
        return [typed(item, arg) for item, arg in zip(found, ty.args, strict=True)]
    if name == "HashMap":
        if not isinstance(found, dict):
            raise NotALiteral("a map expected")
        return [[typed(k, ty.args[0]), typed(v, ty.args[1])] for k, v in found.items()]
    raise NotALiteral(f"values of type {name}")


def result_type(text: str) -> RustType:
    """A return type the oracle can carry; ValueError otherwise."""
    tokens = re.findall(r"'[A-Za-z_]\w*|[A-Za-z_]\w*|::|\S", text)
    tokens = [t for t in tokens if not t.startswith("'")]  # lifetimes do not change the values
    pos = 0

    def parse() -> RustType:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"type {text!r} ends early")
        token = tokens[pos]
        pos += 1
        while tokens[pos : pos + 1] == ["::"] and token in _PATH_ROOTS:  # `std::string::String`
            token = tokens[pos + 1] if pos + 1 < len(tokens) else ""
            pos += 2
        if token == "&":
            if pos < len(tokens) and tokens[pos] == "mut":
                raise ValueError("a &mut result")
            return RustType("&", (parse(),))
        if token == "(":
            items = [parse()]
            while tokens[pos : pos + 1] == [","]:
                pos += 1
                if tokens[pos : pos + 1] == [")"]:
                    break
                items.append(parse())
            expect(")")
            if len(items) < 2:
                raise ValueError("a one-item tuple or parentheses")
            return RustType("tuple", tuple(items))
        if token in _GENERIC_ARITY:
            expect("<")
            args = [parse()]
            while tokens[pos : pos + 1] == [","]:
                pos += 1
                args.append(parse())
            expect(">")
            if len(args) != _GENERIC_ARITY[token]:
                raise ValueError(f"{token} with {len(args)} type arguments")
            return RustType(token, tuple(args))
        if token in _SCALAR_TYPES:
            return RustType(token)
        raise ValueError(f"the oracle cannot carry values of type {token}")

    def expect(token: str) -> None:
        nonlocal pos
        if tokens[pos : pos + 1] != [token]:
            raise ValueError(f"expected {token!r} in type {text!r}")
        pos += 1

    found = parse()
    if pos != len(tokens):
        raise ValueError(f"trailing text in type {text!r}")
    return found

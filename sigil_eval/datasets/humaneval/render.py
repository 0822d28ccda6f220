"""Rust text for one problem: the prompt (doc comment + signature) and the replayed test module."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigil_eval.datasets.humaneval.record import Call
from sigil_eval.program import oracle
from sigil_eval.program.oracle import FLOAT_TOLERANCE
from sigil_eval.program.rust_lexer import split_top_level
from sigil_eval.program.rust_types import RustType, literal, parse_type


@dataclass(frozen=True, slots=True)
class Signature:
    text: str
    name: str
    params: tuple[tuple[str, RustType], ...]
    result: RustType

    def call(self, args: tuple[Any, ...]) -> str:
        if len(args) != len(self.params):
            raise ValueError(f"{self.name} takes {len(self.params)} arguments, got {len(args)}")
        rendered = (literal(value, ty) for value, (_, ty) in zip(args, self.params, strict=True))
        return f"{self.name}({', '.join(rendered)})"


def parse_signature(text: str) -> Signature:
    match = re.fullmatch(r"fn\s+(\w+)\((.*)\)\s*->\s*(.+)", text.strip(), re.S)
    if not match:
        raise ValueError(f"not a signature: {text!r}")
    params = []
    for param in split_top_level(match.group(2)):
        name, _, ty = param.partition(":")
        params.append((name.strip(), parse_type(ty)))
    return Signature(text.strip(), match.group(1), tuple(params), parse_type(match.group(3)))


def python_docstring(prompt: str, entry_point: str) -> str:
    """The entry point's docstring (the first string statement of its body: some bodies import first)."""
    function = next(
        node for node in ast.walk(ast.parse(prompt)) if isinstance(node, ast.FunctionDef) and node.name == entry_point
    )
    for statement in function.body:
        value = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return _dedent(value.value)
    return ""


def _dedent(text: str) -> str:
    lines = text.expandtabs(4).splitlines()
    body = [line for line in lines[1:] if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in body), default=0)
    cleaned = [lines[0].strip()] + [line[indent:].rstrip() for line in lines[1:]] if lines else []
    while cleaned and not cleaned[0]:
        cleaned.pop(0)
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return "\n".join(cleaned)


# `f(x) ➞ y`-style example lines, also as a list item (`* f(x) => y`), after "for", or with a `# =>` comment
_ARROW = re.compile(
    r"^(?P<indent>\s*(?:[*-]\s+)?)(?:for\s+)?(?P<call>\w+\(.*\))\s*"
    r"(?:#\s*=>|#\s*returns|==>|➞|==|=>|->|should return|returns|=)\s*(?P<value>.+?)$"
)
_LOWERCASE_BOOL = {"true": "True", "false": "False"}  # some docstrings write JSON-style booleans


Adapt = Callable[[tuple[Any, ...], Any], tuple[tuple[Any, ...], Any]]


def _unchanged(args: tuple[Any, ...], result: Any) -> tuple[tuple[Any, ...], Any]:
    return args, result


def _example(python_name: str, call_text: str, value_text: str, signature: Signature, adapt: Adapt) -> str | None:
    """`assert_eq!(rust_call, rust_value);` for a Python example `call` → `value`, or None if not literal."""
    try:
        call = ast.parse(call_text.strip(), mode="eval").body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == python_name):
            return None
        args = tuple(ast.literal_eval(arg) for arg in call.args)
        value_text = value_text.strip()
        value_text = _LOWERCASE_BOOL.get(value_text, value_text)
        try:
            value = ast.literal_eval(value_text)
        except (ValueError, SyntaxError):
            value = ast.literal_eval(value_text.rstrip("."))
        args, value = adapt(args, value)
        return f"assert_eq!({signature.call(args)}, {literal(value, signature.result)});"
    except (ValueError, SyntaxError, TypeError):
        return None


def _doctest(lines: list[str], i: int, python_name: str, signature: Signature, adapt: Adapt) -> tuple[str, int] | None:
    """`>>> call == value` on one line, or `>>> call` then its value over the next lines (none for None):
    the Rust assertion and the index of the first line after the example."""
    source = lines[i].strip()[4:]
    limit = i + 1
    while limit < len(lines) and lines[limit].strip() and not lines[limit].strip().startswith(">>>"):
        limit += 1
    one_line = _ARROW.match(source)
    if one_line:
        candidates = [(i + 1, one_line["call"], one_line["value"])]
    elif limit == i + 1:
        candidates = [(i + 1, source, "None")]  # doctest prints nothing for None
    else:
        value_lines = [part.strip() for part in lines[i + 1 : limit]]
        candidates = [(end, source, " ".join(value_lines[: end - i - 1])) for end in range(i + 2, limit + 1)]
    for end, call, value in candidates:
        rust = _example(python_name, call, value, signature, adapt)
        if rust is not None:
            return rust, end
    return None


def doc_comment(
    docstring: str, python_name: str, signature: Signature, note: str = "", *, adapt: Adapt = _unchanged
) -> str:
    lines = docstring.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        example = _doctest(lines, i, python_name, signature, adapt) if line.strip().startswith(">>> ") else None
        if example is None and (match := _ARROW.match(line)):
            rust = _example(python_name, match["call"], match["value"], signature, adapt)
            example = (rust, i + 1) if rust is not None else None
        if example is not None:
            out.append(indent + example[0])
            i = example[1]
            continue
        out.append(re.sub(rf"\b{re.escape(python_name)}\(", signature.name + "(", line))
        i += 1
    if note:
        out += ["", note]
    return "".join(f"/// {line}".rstrip() + "\n" for line in out)


def test_module(signature: Signature, calls: list[Call], property_check: str | None = None) -> str:
    result = signature.result
    tolerant = oracle.tolerant(result)  # the one rule, shared with out-of-process judging
    lines: list[str] = []
    for call in calls:
        invocation = signature.call(call.args)
        if property_check is not None:
            args = {
                f"arg{i}": literal(value, ty)
                for i, (value, (_, ty)) in enumerate(zip(call.args, signature.params, strict=True))
            }
            lines.append(property_check.format(call=invocation, **args))
        elif tolerant:
            lines.append(f"assert_close({invocation}, {literal(call.result, result)});")
        else:
            lines.append(f"assert_eq!({invocation}, {literal(call.result, result)});")
    helper = ""
    if tolerant and property_check is None:
        helper = _CLOSE_SCALAR if result.name == "f64" else _CLOSE_VEC
    body = "".join(f"        {line}\n" for line in lines)
    return (
        "\n#[cfg(test)]\nmod tests {\n    use super::*;\n"
        + helper
        + f"\n    #[test]\n    fn test_{signature.name}() {{\n{body}    }}\n}}\n"
    )


_CLOSE_SCALAR = f"""
    fn assert_close(actual: f64, expected: f64) {{
        assert!((actual - expected).abs() < {FLOAT_TOLERANCE}, "{{actual}} != {{expected}}");
    }}
"""

_CLOSE_VEC = f"""
    fn assert_close(actual: Vec<f64>, expected: Vec<f64>) {{
        assert_eq!(actual.len(), expected.len(), "{{actual:?}} != {{expected:?}}");
        for (a, e) in actual.iter().zip(&expected) {{
            assert!((a - e).abs() < {FLOAT_TOLERANCE}, "{{actual:?}} != {{expected:?}}");
        }}
    }}
"""

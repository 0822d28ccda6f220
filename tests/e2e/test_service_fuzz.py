"""Every malformed request to `/v1/evaluate` and `/get_reward` gets a 4xx with a one-line reason — never a 500 —
and the service keeps serving: a wrong type in every field (and in every field of a sample), deep nesting, huge
strings and numbers, bad UTF-8, bodies that are not JSON at all. A request of the right shape whose samples are
bad gets 200 with each sample rejected by position."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ..helpers import requires_firejail
from .test_service import Service

pytestmark = requires_firejail

RIGHT = "    a + b\n}\n"
EVALUATE = {"samples": [{"task_id": "Example/0", "completion": RIGHT, "completion_id": 0}], "options": {"k": [1]}}
REWARD = {"query": ["fn add(a: i64, b: i64) -> i64 {\n" + RIGHT], "prompts": ["fn add("], "labels": ["Example/0"]}
WRONG_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x" * 10_000,
    [],
    {},
    [None],
    [[[[[[[[[[1]]]]]]]]]],
    {"a": {"b": {"c": [1, "2", None]}}},
    10**30,
    "\udcff",  # a lone surrogate: not UTF-8 once encoded with surrogatepass
]
RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"samples"',
    b"\xff\xfe\x00{}",
    b'{"samples": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    b'{"samples": 1e999}',
    b'{"samples": [{"task_id": "Example/0", "completion": "\\ud800"}]}',
    b'{"samples": [], "samples": 3}',
]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value where another value can stand."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    body = copy.deepcopy(body)
    place = body
    for step in path[:-1]:
        place = place[step]
    place[path[-1]] = value
    return body


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    running = Service("--max-queue", "1000")
    yield running
    running.stop()


@pytest.mark.parametrize(("route", "valid"), [("/v1/evaluate", EVALUATE), ("/get_reward", REWARD)])
def test_a_wrong_value_anywhere_is_a_4xx_or_a_rejection_never_a_500(
    service: Service, route: str, valid: dict[str, Any]
) -> None:
    bodies = [
        json.dumps(replaced(valid, path, value)).encode("utf-8", "surrogatepass")
        for path in paths(valid)
        for value in WRONG_VALUES
    ]
    with httpx.Client(base_url=service.url, timeout=120) as client:
        for body in [*bodies, *RAW_BODIES]:
            response = client.post(route, content=body, headers={"content-type": "application/json"})
            shown = body[:120]
            assert response.status_code < 500, (shown, response.status_code, response.text[:300])
            if response.status_code >= 400:
                reason = response.json()["error"]
                assert reason and "\n" not in reason, (shown, reason)
        assert client.post(route, json=valid).status_code == 200  # still serving, and right answers still pass
        assert client.get("/healthz").json()["status"] == "ok"

"""Optional extras are checked one way: before any work, one exit code (3), one message naming the extra, what is
missing and the command that installs it; a need narrower than the extra asks only for what it uses."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

import sigil_eval
from sigil_eval import extras


def without(*names: str) -> Any:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in names else real(name, *args)

    return find_spec


@pytest.mark.parametrize("extra", list(extras.EXTRA_MODULES))
def test_a_missing_module_names_the_extra_and_how_to_install_it(extra: str, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = extras.EXTRA_MODULES[extra][0]  # type: ignore[index]
    monkeypatch.setattr(importlib.util, "find_spec", without(missing))
    with pytest.raises(sigil_eval.MissingExtraError) as raised:
        extras.require_extra(extra, "the thing")  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("the thing needs the") and missing in message
    assert f"pip install 'sigil-eval[{extra}]'" in message and raised.value.exit_code == 3


def test_a_narrower_need_asks_only_for_what_it_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", without("uvicorn", "starlette"))
    extras.require_extra("serve", "remote_reward", modules=("httpx",))  # the service's client needs no server
    with pytest.raises(sigil_eval.MissingExtraError, match="uvicorn"):
        extras.require_extra("serve", "sigil-eval serve")


def test_installed_extras_pass() -> None:
    for extra in extras.EXTRA_MODULES:
        extras.require_extra(extra, "the dev install")  # the dev extra installs serve, ray and report

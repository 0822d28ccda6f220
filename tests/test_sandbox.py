"""Escapes that must fail inside the sandbox. Each attack is also run unconfined as a control: there it
succeeds, which proves the test can fail."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import judge, problem, requires_firejail

ESCAPE_FILE = Path("/var/tmp/sigil_eval_escape")
PROBLEMS = {"S/leak": problem("S/leak", "fn leak() -> bool", "        assert!(leak());")}


@pytest.fixture(scope="module")
def home_secret() -> Iterator[Path]:
    path = Path.home() / ".sigil_eval_test_secret"
    path.write_text("root-only secret\n")
    path.chmod(0o600)
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def listener() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def attacks(home_secret: Path, port: int) -> dict[str, str]:
    return {
        "compile_time_shadow": '    include_str!("/etc/shadow").contains("root:")\n}\n',
        "compile_time_home": f'    include_str!("{home_secret}").contains("secret")\n}}\n',
        "run_time_shadow": '    std::fs::read_to_string("/etc/shadow").is_ok_and(|s| s.contains("root:"))\n}\n',
        "run_time_home": f'    std::fs::read_to_string("{home_secret}").is_ok()\n}}\n',
        "tcp_to_host": f'    std::net::TcpStream::connect("127.0.0.1:{port}").is_ok()\n}}\n',
        "write_outside_scratch": f'    std::fs::write("{ESCAPE_FILE}", "x").is_ok()\n}}\n',
    }


def run(home_secret: Path, port: int, sandbox: str) -> dict[str, bool]:
    table = attacks(home_secret, port)
    samples = [{"task_id": "S/leak", "completion": code, "completion_id": name} for name, code in table.items()]
    options = {"sandbox": sandbox, "allow_no_sandbox": True, "clippy": "off", "workers": 2}
    return {str(r.completion_id): r.passed for r in judge(samples, PROBLEMS, **options)}


@requires_firejail
def test_attacks_fail_in_the_sandbox_and_succeed_without_it(home_secret: Path, listener: int) -> None:
    ESCAPE_FILE.unlink(missing_ok=True)
    jailed = run(home_secret, listener, "firejail")
    assert not any(jailed.values()), f"escaped the sandbox: {[k for k, v in jailed.items() if v]}"
    assert not ESCAPE_FILE.exists()
    open_air = run(home_secret, listener, "none")
    # unconfined, the compiler (root) reads anything, the binary reaches the host's loopback and writes to
    # /var/tmp; test binaries drop to their own uid even here, so runtime reads of root-only files fail
    assert open_air["compile_time_home"] and open_air["tcp_to_host"] and open_air["write_outside_scratch"]
    assert ESCAPE_FILE.exists()
    ESCAPE_FILE.unlink()

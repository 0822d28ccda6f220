"""The attack battery: untrusted code trying to read secrets, reach the network, write outside its scratch
dir, exhaust the host, disturb other samples or forge a verdict. Each attack's test passes only if the attack
worked (`leak()` returns true), so a pass is an escape. Every attack runs in both modes, beside bystander
samples that must still pass, and the host is checked afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import sigil_eval
from sigil_eval.runner import limits

from ..helpers import TIMED_OUT_IN_BATCH, judge, judged_alone, problem, requires_firejail

pytestmark = requires_firejail
SECRET_ENV = "SIGIL_ATTACK_TEST_SECRET"
HOST_MARKERS = [
    Path("/var/tmp/sigil_attack_marker"),
    Path("/tmp/sigil_attack_marker"),
    Path.home() / "sigil_attack_marker",
]
RUN_UIDS = range(limits.RUN_UID_BASE, limits.harness_uid_base(64))  # every uid a sample may run as
OTHER_HOME_SECRET = Path("/home/sigil_attack_user/secret")
PROBLEMS = {
    "A/leak": problem("A/leak", "fn leak() -> bool", "        assert!(leak());"),
    "A/add": problem("A/add", "fn add(a: i64, b: i64) -> i64", "        assert_eq!(add(2, 3), 5);"),
}
TIMEOUT = "test_timeout"
FAILS = {"assertion_failure"}


def attacks(home_secret: Path, port: int, cache_file: Path) -> dict[str, tuple[str, set[str]]]:
    """name: (body of `fn leak() -> bool`, the error types it may end with)."""
    ret = "\n}\n"
    compile_or_fail = {"compile_error", "assertion_failure"}
    return {
        # secrets, read at compile time (the compiler runs in the jail) and at run time
        "shadow_at_compile_time": ('    include_str!("/etc/shadow").contains("root:")' + ret, compile_or_fail),
        "shadow_bytes_at_compile_time": ('    include_bytes!("/etc/shadow").len() > 0' + ret, compile_or_fail),
        "home_at_compile_time": (f'    include_str!("{home_secret}").contains("secret")' + ret, compile_or_fail),
        "other_home_at_compile_time": (
            f'    include_str!("{OTHER_HOME_SECRET}").contains("secret")' + ret,
            compile_or_fail,
        ),
        "cache_at_compile_time": (f'    include_str!("{cache_file}").len() > 0' + ret, compile_or_fail),
        "env_at_compile_time": (f'    env!("{SECRET_ENV}").len() > 0' + ret, compile_or_fail),
        "option_env_at_compile_time": (f'    option_env!("{SECRET_ENV}").is_some()' + ret, FAILS),
        "env_at_run_time": (f'    std::env::var("{SECRET_ENV}").is_ok()' + ret, FAILS),
        "shadow_at_run_time": (
            '    std::fs::read_to_string("/etc/shadow").is_ok_and(|s| s.contains("root:"))' + ret,
            FAILS,
        ),
        "home_at_run_time": (f'    std::fs::read_to_string("{home_secret}").is_ok()' + ret, FAILS),
        "root_dir_listing": ('    std::fs::read_dir("/root").is_ok_and(|d| d.count() > 0)' + ret, FAILS),
        "cache_at_run_time": (f'    std::fs::metadata("{cache_file}").is_ok()' + ret, FAILS),
        "other_samples_sources": ('    std::fs::read_dir("/tmp").map(|d| d.count() > 1).unwrap_or(false)' + ret, FAILS),
        "other_process_environ": (  # a process of the host holding a secret in its environment
            '    std::fs::read_dir("/proc").is_ok_and(|d| d.flatten().any(|e| std::fs::read(e.path().join("environ"))'
            '.is_ok_and(|env| env.windows(7).any(|w| w == b"hunter2"))))' + ret,
            FAILS,
        ),
        "host_processes": (
            '    std::fs::read_dir("/proc").map(|d| d.filter(|e| e.as_ref().is_ok_and(|e| '
            "e.file_name().to_string_lossy().parse::<u32>().is_ok())).count() > 20).unwrap_or(false)" + ret,
            FAILS,
        ),
        # network
        "tcp_to_host_loopback": (f'    std::net::TcpStream::connect("127.0.0.1:{port}").is_ok()' + ret, FAILS),
        "udp_to_host_loopback": (
            f'    std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| s.send_to(b"x", '
            f'"127.0.0.1:{port}")).is_ok() && std::net::TcpStream::connect("127.0.0.1:{port}")'
            ".is_ok()" + ret,
            FAILS,
        ),
        "network_interfaces": (
            '    std::fs::read_dir("/sys/class/net").map(|d| d.count() > 1).unwrap_or(false)' + ret,
            FAILS,
        ),
        # writing outside scratch, or over what judges the sample
        "write_var_tmp": (f'    std::fs::write("{HOST_MARKERS[0]}", "x").is_ok()' + ret, FAILS),
        "write_tmp": (f'    std::fs::write("{HOST_MARKERS[1]}", "x").is_ok()' + ret, FAILS),
        "write_home": (f'    std::fs::write("{HOST_MARKERS[2]}", "x").is_ok()' + ret, FAILS),
        "overwrite_own_binary": (  # replaced, not written: a running binary is busy (ETXTBSY)
            "    let exe = std::env::current_exe().unwrap();\n"
            '    std::fs::remove_file(&exe).is_ok() && std::fs::write(&exe, b"x").is_ok()' + ret,
            FAILS,
        ),
        "overwrite_job_dir": (
            '    std::fs::write("src.rs", "x").is_ok() || std::fs::write("main.rs", "x").is_ok()' + ret,
            FAILS,
        ),
        "fill_dev_shm": ('    std::fs::write("/dev/shm/fill", vec![0u8; 1 << 20]).is_ok()' + ret, FAILS),
        # exhausting the host or disturbing the others
        "fork_bomb": (
            '    loop { let _ = std::process::Command::new("/bin/sh").args(["-c", "sleep 30"]).spawn(); }' + ret,
            {TIMEOUT},
        ),
        "thread_bomb": (
            "    let mut n = 0;\n    while std::thread::Builder::new().spawn(|| std::thread::sleep("
            "std::time::Duration::from_secs(30))).is_ok() { n += 1; if n > 100_000 { break; } }\n"
            "    n > 100_000" + ret,
            FAILS,
        ),
        "memory_bomb": (
            "    let mut v: Vec<Vec<u8>> = Vec::new();\n    for _ in 0..64 { v.push(vec![1u8; 1 << 28]); }\n"
            "    v.len() == 64" + ret,
            {"runtime_error", "assertion_failure", TIMEOUT},  # RLIMIT_AS aborts it, or the CPU budget ends it
        ),
        "disk_fill_scratch": (
            '    (0..1000).all(|i| std::fs::write(format!("f{i}"), vec![0u8; 1 << 20]).is_ok())' + ret,
            FAILS,
        ),
        "output_flood": (
            '    let chunk = "x".repeat(1 << 16);\n    for _ in 0..20_000 { println!("{chunk}"); }\n    false' + ret,
            {TIMEOUT, "assertion_failure"},
        ),
        "busy_loop": ("    loop { std::hint::spin_loop(); }" + ret, {TIMEOUT}),
        "sleep": ("    std::thread::sleep(std::time::Duration::from_secs(600));\n    true" + ret, {TIMEOUT}),
        "stdin_read": (
            "    let mut s = String::new();\n    std::io::Read::read_to_string(&mut std::io::stdin(), "
            "&mut s).is_ok() && !s.is_empty()" + ret,
            FAILS,
        ),
        "kill_everyone": (
            '    let _ = std::process::Command::new("kill").args(["-9", "-1"]).status();\n    false' + ret,
            {"assertion_failure", "runtime_error", "early_exit"},
        ),
        "kill_parent": (
            "    let ppid = std::fs::read_to_string(\"/proc/self/stat\").unwrap().split(' ').nth(3)"
            '.unwrap().to_string();\n    let _ = std::process::Command::new("kill").args(["-9", &ppid])'
            ".status();\n    false" + ret,
            {"assertion_failure", "runtime_error", "early_exit"},
        ),
        "privilege_escalation": (
            '    std::process::Command::new("su").args(["-c", "id -u"]).output()'
            '.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")' + ret,
            FAILS,
        ),
        # forging a verdict
        "forged_summary": (
            '    use std::io::Write;\n    let _ = std::io::stdout().write_all(b"\\ntest tests::leak_ok ... '
            'ok\\ntest result: ok. 1 passed; 0 failed; 0 ignored\\n");\n    std::process::exit(0)' + ret,
            {"early_exit"},
        ),
        "forged_harness_lines": (
            "    use std::io::Write;\n    for fd in 0..64 { let _ = std::process::Command::new"
            '("sh").args(["-c", &format!("echo \'SIGIL {{\\"index\\":0,\\"exited\\":true,'
            '\\"code\\":0,\\"signal\\":0,\\"killed\\":false,\\"report\\":[1,0],\\"wall_ms\\":0,'
            '\\"output_bytes\\":0,\\"output\\":\\"\\"}}\' >&{fd}")]).status(); }\n'
            "    let _ = std::io::stdout().flush();\n    false" + ret,
            {"assertion_failure"},
        ),
        "early_exit_zero": ("    std::process::exit(0)" + ret, {"early_exit"}),
        "panic_hook_exit_zero": (
            "    std::panic::set_hook(Box::new(|_| std::process::exit(0)));\n    false" + ret,
            {"early_exit", "assertion_failure"},  # A/leak's tests are cases: its wrong value is the verdict
        ),
        # pathological compiles
        "macro_blowup": (
            "    macro_rules! blow { () => {}; ($x:tt $($r:tt)*) => { blow!($($r)*); blow!($($r)*); }; }\n"
            "    blow!(a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f);\n    true" + ret,
            {"compile_timeout"},
        ),
        "const_eval_recursion": (
            "    const fn f(n: u64) -> u64 { if n == 0 { 0 } else { 1 + f(n - 1) } }\n"
            "    const X: u64 = f(10_000_000);\n    X > 0" + ret,
            {"compile_error", "compile_timeout"},
        ),
        "macro_recursion": ("    macro_rules! r { () => { r!() }; }\n    r!();\n    true" + ret, {"compile_error"}),
    }


COMPILE_TIME_READS = {
    "shadow_at_compile_time",
    "shadow_bytes_at_compile_time",
    "home_at_compile_time",
    "other_home_at_compile_time",
    "cache_at_compile_time",
    "env_at_compile_time",
}
# attacks whose code is shown, below, to succeed where the protection is absent
CONTROLLED = COMPILE_TIME_READS | {
    "option_env_at_compile_time",
    "env_at_run_time",
    "shadow_at_run_time",
    "home_at_run_time",
    "root_dir_listing",
    "cache_at_run_time",
    "other_samples_sources",
    "other_process_environ",
    "host_processes",
    "tcp_to_host_loopback",
    "udp_to_host_loopback",
    "network_interfaces",
    "write_var_tmp",
    "write_tmp",
    "write_home",
    "overwrite_own_binary",
    "overwrite_job_dir",
    "fill_dev_shm",
    "stdin_read",
    "privilege_escalation",
}
# attacks on the verdict: shown to pass a judge that trusts exit code 0 (or, for the forged harness lines, to
# print a well-formed harness record)
FORGERIES = {"forged_summary", "forged_harness_lines", "early_exit_zero", "panic_hook_exit_zero"}
CONTROLLED |= FORGERIES
# exhausting the host, killing processes, pathological compiles: shown to do what they try where that is harmless
# (an unprivileged throwaway uid for `kill -9 -1`, a time limit on the loops and the compile, a capped read)
CONTROLLED_BY_EFFECT = {
    "busy_loop",
    "sleep",
    "output_flood",
    "disk_fill_scratch",
    "kill_parent",
    "kill_everyone",
    "macro_blowup",
}
CONTROLLED |= CONTROLLED_BY_EFFECT
# no control: the bombs would exhaust the machine running the tests unprotected, and the two recursions are
# stopped by rustc's own limits, not by a protection of ours that could be taken away
UNCONTROLLED = {"fork_bomb", "thread_bomb", "memory_bomb", "const_eval_recursion", "macro_recursion"}
ROUTED_ALONE_IN_BATCHED_MODE = {
    **dict.fromkeys(sorted(COMPILE_TIME_READS - {"env_at_compile_time"}), "isolated: file inclusion"),
    "macro_blowup": TIMED_OUT_IN_BATCH,  # bisected down to a few members; the rest of its batch is judged
}


@pytest.fixture(scope="module")
def home_secret() -> Iterator[Path]:
    """A root-only file in the evaluator's home, and one in another user's home under /home."""
    path = Path.home() / ".sigil_attack_secret"
    created_home = not OTHER_HOME_SECRET.parent.exists()
    OTHER_HOME_SECRET.parent.mkdir(parents=True, exist_ok=True)
    for secret in (path, OTHER_HOME_SECRET):
        secret.write_text("secret\n")
        secret.chmod(0o600)
    yield path
    path.unlink(missing_ok=True)
    OTHER_HOME_SECRET.unlink(missing_ok=True)
    if created_home:
        OTHER_HOME_SECRET.parent.rmdir()


@pytest.fixture(scope="module")
def secret_holder() -> Iterator[None]:
    """A process of the host with a secret in its environment, alive while the attacks run."""
    holder = subprocess.Popen(["sleep", "600"], env={"PATH": os.environ["PATH"], SECRET_ENV: "hunter2"})
    yield
    holder.kill()
    holder.wait()


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[int]]]:
    """A TCP and a UDP socket on the host's loopback, counting what reaches them."""
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    hits = [0]
    stop = threading.Event()

    def serve() -> None:
        tcp.settimeout(0.2)
        udp.settimeout(0.01)
        while not stop.is_set():
            for sock in (tcp, udp):
                try:
                    if sock is tcp:
                        sock.accept()[0].close()
                    else:
                        sock.recv(16)
                    hits[0] += 1
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port, hits
    stop.set()
    thread.join()
    tcp.close()
    udp.close()


def sample_processes() -> set[int]:
    """Pids running as one of the uids samples run as."""
    rows = subprocess.run(["ps", "-eo", "pid=,uid="], capture_output=True, text=True, check=True).stdout.split("\n")
    return {int(pid) for pid, uid in (row.split() for row in rows if row.strip()) if int(uid) in RUN_UIDS}


def _cache_file() -> Path:
    return next(sigil_eval.cargo_cache.default_cache_root().glob("*/manifest.json"))


@pytest.mark.parametrize("mode", ["batched", "isolated"])
@pytest.mark.usefixtures("secret_holder")
def test_attack_battery(
    mode: str, home_secret: Path, listener: tuple[int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, hits = listener
    hits_before = hits[0]
    monkeypatch.setenv(SECRET_ENV, "hunter2")
    for marker in HOST_MARKERS:
        marker.unlink(missing_ok=True)
    table = attacks(home_secret, port, _cache_file())
    assert set(table) == CONTROLLED | UNCONTROLLED  # the table's size is pinned: a new attack needs its control
    samples = [{"task_id": "A/leak", "completion": code, "completion_id": name} for name, (code, _) in table.items()]
    bystanders = [
        {"task_id": "A/add", "completion": "    a + b\n}\n", "completion_id": f"bystander{i}"} for i in range(6)
    ]
    before = sample_processes()  # e.g. what a killed run of another test left to run out its limits
    results = judge(
        bystanders[:3] + samples + bystanders[3:],
        PROBLEMS,
        mode=mode,
        workers=2,
        run_timeout=2,
        compile_timeout=3,
        clippy="off",
    )
    verdicts = {str(r.completion_id): r for r in results}
    escaped = [name for name in table if verdicts[name].passed]
    assert not escaped, f"attacks that passed: {escaped}"
    unexpected = {
        name: verdicts[name].error_type
        for name, (_, allowed) in table.items()
        if verdicts[name].error_type not in allowed
    }
    assert not unexpected, unexpected
    assert all(verdicts[f"bystander{i}"].passed for i in range(6)), "an attack disturbed another sample"
    for name in COMPILE_TIME_READS:  # blocked means: the read failed, not that the attack had a typo
        if verdicts[name].error_type == "compile_error":
            assert "couldn't read" in verdicts[name].stderr or "not defined" in verdicts[name].stderr, name
    if mode == "batched":  # the batched half is judged by the batch harness, except what must run alone
        attacks_only = {name: verdicts[name] for name in table}
        assert judged_alone(attacks_only, "macro_blowup") == ROUTED_ALONE_IN_BATCHED_MODE
    assert hits[0] == hits_before, "something reached the host's loopback"
    assert not [m for m in HOST_MARKERS if m.exists()], "a file was written outside the jail"
    assert not sample_processes() - before, "processes of a sample outlived the run"
    assert os.environ[SECRET_ENV] == "hunter2"


def test_the_battery_can_fail(home_secret: Path, listener: tuple[int, list[int]]) -> None:
    """Unconfined, some attacks succeed: the compiler (root) reads a root-only file, a test reaches the host's
    loopback and writes to /var/tmp. (Test binaries drop to their own uid even here, so runtime reads of
    root-only files still fail.) This is what the jail prevents above."""
    port, hits = listener
    table = attacks(home_secret, port, _cache_file())
    control = ("home_at_compile_time", "tcp_to_host_loopback", "write_var_tmp")
    samples = [{"task_id": "A/leak", "completion": table[name][0], "completion_id": name} for name in control]
    HOST_MARKERS[0].unlink(missing_ok=True)
    results = judge(samples, PROBLEMS, sandbox="none", allow_no_sandbox=True, clippy="off", workers=2)
    assert {str(r.completion_id): r.passed for r in results} == dict.fromkeys(control, True)
    assert hits[0] > 0 and HOST_MARKERS[0].exists()
    HOST_MARKERS[0].unlink()


def _control_markers() -> list[Path]:
    return [*HOST_MARKERS, Path("/dev/shm/fill")]


def _build(name: str, body: str, job: Path, env: dict[str, str], *, libtest: bool = False) -> Path:
    """The attack as a program of its own: `fn leak()` called from main (or from a #[test])."""
    rustc = shutil.which("rustc")
    assert rustc is not None
    tests = "\n#[test]\nfn check() {\n    assert!(leak());\n}\n" if libtest else ""
    main = "" if libtest else '\nfn main() {\n    println!("{}", leak());\n}\n'
    (job / "src.rs").write_text(f"fn leak() -> bool {{\n{body}{main}{tests}")
    flags = ["--test"] if libtest else []
    build = subprocess.run(
        [rustc, "--edition", "2021", *flags, "src.rs", "-o", "prog"], cwd=job, env=env, capture_output=True, check=False
    )
    assert build.returncode == 0, f"{name} does not compile unprotected: {build.stderr.decode()[-500:]}"
    return job / "prog"


@pytest.mark.usefixtures("secret_holder")
def test_each_attack_works_without_its_protection(
    home_secret: Path, listener: tuple[int, list[int]], tmp_path: Path
) -> None:
    """The battery's negative control: each attack's code, compiled by plain rustc and run as we are (root, the
    host's network, the secret in the environment, data on stdin, its source beside it), does what it tries.
    So an attack that fails in the battery failed because of the protection, not because it cannot work."""
    port, _ = listener
    table = attacks(home_secret, port, _cache_file())
    env = {"PATH": os.environ["PATH"], SECRET_ENV: "hunter2"}
    worked: dict[str, bool] = {}
    for name in sorted(CONTROLLED - CONTROLLED_BY_EFFECT):
        job = tmp_path / name
        job.mkdir()
        _build(name, table[name][0], job, env, libtest=name in FORGERIES)
        run = subprocess.run(
            ["./prog"],
            cwd=job,
            env=env,
            input="data on stdin\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if name == "forged_harness_lines":
            worked[name] = 'SIGIL {"index":0,"exited":true' in run.stdout
        elif name in FORGERIES:
            worked[name] = run.returncode == 0  # what a judge trusting the exit code would call a pass
        else:
            worked[name] = run.stdout.strip() == "true"
    for marker in _control_markers():
        marker.unlink(missing_ok=True)
    assert [name for name, ok in worked.items() if not ok] == []


def _still_running_after(argv: list[str], seconds: float, cwd: Path) -> bool:
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True
    return False


@pytest.mark.skipif(os.geteuid() != 0, reason="kill -9 -1 is shown under a throwaway uid, which needs root")
def test_resource_attacks_do_what_they_try_without_limits(home_secret: Path, tmp_path: Path) -> None:
    table = attacks(home_secret, 1, _cache_file())
    env = {"PATH": os.environ["PATH"]}
    jobs = {name: tmp_path / name for name in CONTROLLED_BY_EFFECT}
    for job in jobs.values():
        job.mkdir()
    worked: dict[str, bool] = {}
    for name in ("busy_loop", "sleep"):
        _build(name, table[name][0], jobs[name], env)
        worked[name] = _still_running_after(["./prog"], 2, jobs[name])
    _build("output_flood", table["output_flood"][0], jobs["output_flood"], env)
    with subprocess.Popen(["./prog"], cwd=jobs["output_flood"], stdout=subprocess.PIPE) as flood:
        assert flood.stdout is not None
        worked["output_flood"] = len(flood.stdout.read(64 << 20)) == 64 << 20  # it would go on to 1.3 GB
        flood.kill()
    _build("disk_fill_scratch", table["disk_fill_scratch"][0], jobs["disk_fill_scratch"], env)
    fill = subprocess.run(["./prog"], cwd=jobs["disk_fill_scratch"], capture_output=True, text=True, check=False)
    worked["disk_fill_scratch"] = fill.stdout.strip() == "true"  # 1 GiB written
    shutil.rmtree(jobs["disk_fill_scratch"])
    _build("kill_parent", table["kill_parent"][0], jobs["kill_parent"], env)
    parent = subprocess.run(
        ["sh", "-c", "./prog; echo survived"], cwd=jobs["kill_parent"], capture_output=True, text=True, check=False
    )
    worked["kill_parent"] = parent.returncode == -9 and "survived" not in parent.stdout
    # kill -9 -1 under a throwaway uid, beside a bystander of the same uid: the bystander dies
    public = Path(tempfile.mkdtemp(prefix="sigil-control-"))
    try:
        public.chmod(0o755)
        shutil.copy(_build("kill_everyone", table["kill_everyone"][0], jobs["kill_everyone"], env), public / "prog")
        as_throwaway = ["setpriv", "--reuid=65123", "--regid=65123", "--clear-groups", "--"]
        bystander = subprocess.Popen([*as_throwaway, "sleep", "60"])
        subprocess.run([*as_throwaway, "./prog"], cwd=public, capture_output=True, timeout=60, check=False)
        worked["kill_everyone"] = bystander.wait(timeout=10) == -9
    finally:
        shutil.rmtree(public)
    # the blow-up's compile does not finish in 3 s (alone it would take far longer than any budget)
    blowup = jobs["macro_blowup"]
    (blowup / "src.rs").write_text(f"fn leak() -> bool {{\n{table['macro_blowup'][0]}\nfn main() {{ leak(); }}\n")
    rustc = shutil.which("rustc")
    assert rustc is not None
    worked["macro_blowup"] = _still_running_after([rustc, "--edition", "2021", "src.rs", "-o", "prog"], 3, blowup)
    assert worked == dict.fromkeys(CONTROLLED_BY_EFFECT, True)

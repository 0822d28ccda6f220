//! sigil-eval's test harness for a batch of samples (generated crate root calls `run`).
//! One forked child per sample: own process group, own uid (when started as root), rlimits, an alarm
//! backstop, stdin from /dev/null, stdout+stderr to a pipe the parent drains, every other fd closed.
//! The child reports `token passed failed` over a private pipe and `_exit(0)`s; the parent prints one
//! line per sample on its own stdout, which no child can reach. Oracle tests (see `oracle.rs`) write the
//! values they got over a third pipe (their stdin), forwarded hex-encoded in the sample's line.
#![allow(dead_code, unused_unsafe)]

use std::io::Write;
use std::time::{Duration, Instant};

pub type TestFn = fn();

pub struct Entry {
    pub index: usize,
    pub main_style: bool,
    pub oracle: bool, // its tests record values (oracle.rs): stdin is then the write end of the values pipe
    pub tests: &'static [(&'static str, TestFn)],
}

/// The harness's settings, one numeric argument each, in this order: `HarnessSettings` in
/// `runner/harness_protocol.py` writes them (a test pins the two lists to each other).
struct Config {
    cpu_seconds: u64,
    wall_ms: u64,
    children: usize,
    uid_base: u32,
    address_space: u64,
    processes: u64,
    file_size: u64,
    output_cap: usize,
    values_cap: usize,
}

fn config(a: &[u64]) -> Config {
    Config {
        cpu_seconds: a[0],
        wall_ms: a[1],
        children: a[2] as usize,
        uid_base: a[3] as u32,
        address_space: a[4],
        processes: a[5],
        file_size: a[6],
        output_cap: a[7] as usize,
        values_cap: a[8] as usize,
    }
}

struct Running {
    entry: usize,
    pid: libc::pid_t,
    report: libc::c_int,
    output: libc::c_int,
    values: libc::c_int,
    started: Instant,
    token: u64,
    report_buf: Vec<u8>,
    out_buf: Vec<u8>,
    out_total: usize,
    values_buf: Vec<u8>,
    values_total: usize,
    status: Option<libc::c_int>,
    killed: bool,
    closed: [bool; 3], // report, output, values at EOF: polled no more (a closed pipe polls ready forever)
    uid_slot: u32,
    spawn_failed: bool, // fork failed: infrastructure, never the sample's verdict
}

fn token() -> u64 {
    let mut t = 0u64;
    unsafe {
        let fd = libc::open(b"/dev/urandom\0".as_ptr() as *const libc::c_char, libc::O_RDONLY | libc::O_CLOEXEC);
        if fd >= 0 {
            libc::read(fd, &mut t as *mut u64 as *mut libc::c_void, 8);
            libc::close(fd);
        }
    }
    t ^ (std::process::id() as u64).rotate_left(32) ^ Instant::now().elapsed().as_nanos() as u64
}

fn set_limit(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) {
    let limit = libc::rlimit { rlim_cur: soft, rlim_max: hard };
    unsafe {
        libc::setrlimit(resource, &limit);
    }
}

fn child(entry: &Entry, cfg: &Config, report_w: libc::c_int, out_w: libc::c_int, values_w: libc::c_int, uid: u32, tok: u64) -> ! {
    unsafe {
        libc::setpgid(0, 0);
        let null = libc::open(b"/dev/null\0".as_ptr() as *const libc::c_char, libc::O_RDWR);
        libc::dup2(if entry.oracle { values_w } else { null }, 0);
        libc::dup2(out_w, 1);
        libc::dup2(out_w, 2);
        for fd in 3..1024 {
            if fd != report_w {
                libc::close(fd);
            }
        }
        set_limit(libc::RLIMIT_CPU, cfg.cpu_seconds, cfg.cpu_seconds + 1);
        set_limit(libc::RLIMIT_AS, cfg.address_space, cfg.address_space);
        set_limit(libc::RLIMIT_FSIZE, cfg.file_size, cfg.file_size);
        set_limit(libc::RLIMIT_CORE, 0, 0);
        if uid != 0 {
            libc::setgroups(0, std::ptr::null());
            if libc::setgid(uid) != 0 || libc::setuid(uid) != 0 {
                report(report_w, tok, u64::MAX, u64::MAX);
                libc::_exit(97);
            }
        }
        set_limit(libc::RLIMIT_NPROC, cfg.processes, cfg.processes);
        libc::alarm((cfg.wall_ms / 1000).max(1) as libc::c_uint);
    }
    let stack = if entry.main_style { 8 << 20 } else { 2 << 20 };
    let (mut passed, mut failed) = (0u64, 0u64);
    for (_name, test) in entry.tests {
        let f = *test;
        // unnamed: a test thread's name would tell the sample where its tests live
        let outcome = std::thread::Builder::new().stack_size(stack).spawn(f);
        match outcome.map(|h| h.join()) {
            Ok(Ok(())) => passed += 1,
            _ => failed += 1,
        }
    }
    report(report_w, tok, passed, failed);
    unsafe { libc::_exit(0) }
}

fn report(fd: libc::c_int, tok: u64, passed: u64, failed: u64) {
    let mut msg = [0u8; 24];
    msg[..8].copy_from_slice(&tok.to_le_bytes());
    msg[8..16].copy_from_slice(&passed.to_le_bytes());
    msg[16..].copy_from_slice(&failed.to_le_bytes());
    unsafe {
        libc::write(fd, msg.as_ptr() as *const libc::c_void, 24);
    }
}

/// Kill every process left with `uid` (one that left the child's process group, say) before the uid is given to
/// the next child: nothing a member leaves behind may reach a later member. A helper takes the uid and signals
/// everything that uid may signal, which is that uid's processes, itself excepted.
fn reap_uid(uid: u32) {
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::setgroups(0, std::ptr::null());
            if libc::setgid(uid) == 0 && libc::setuid(uid) == 0 {
                libc::kill(-1, libc::SIGKILL);
            }
            libc::_exit(0);
        }
        if pid > 0 {
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
    }
}

fn pipe() -> (libc::c_int, libc::c_int) {
    let mut fds = [0; 2];
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            panic!("pipe2 failed");
        }
        // the parent's ends must not block it
        libc::fcntl(fds[0], libc::F_SETFL, libc::O_NONBLOCK);
    }
    (fds[0], fds[1])
}

fn spawn(entries: &[Entry], at: usize, cfg: &Config, uid_slot: u32) -> Running {
    let (report_r, report_w) = pipe();
    let (out_r, out_w) = pipe();
    let (values_r, values_w) = pipe();
    let tok = token();
    let uid = if cfg.uid_base == 0 { 0 } else { cfg.uid_base + uid_slot };
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // report_w keeps O_CLOEXEC: a program the sample starts (Command) does not inherit the report pipe
        child(&entries[at], cfg, report_w, out_w, values_w, uid, tok);
    }
    unsafe {
        libc::close(report_w);
        libc::close(out_w);
        libc::close(values_w);
    }
    Running {
        entry: at, pid, report: report_r, output: out_r, values: values_r, started: Instant::now(), token: tok,
        report_buf: Vec::new(), out_buf: Vec::new(), out_total: 0, values_buf: Vec::new(), values_total: 0,
        status: if pid < 0 { Some(0) } else { None }, killed: false, closed: [pid < 0; 3], uid_slot,
        spawn_failed: pid < 0,
    }
}

fn drain(fd: libc::c_int, buf: &mut Vec<u8>, cap: usize, total: &mut usize) -> bool {
    let mut chunk = [0u8; 65536];
    loop {
        let n = unsafe { libc::read(fd, chunk.as_mut_ptr() as *mut libc::c_void, chunk.len()) };
        if n > 0 {
            let n = n as usize;
            *total += n;
            let room = cap.saturating_sub(buf.len());
            buf.extend_from_slice(&chunk[..n.min(room)]);
        } else {
            return n == 0; // true: EOF; false: would block (or error)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{:02x}", b)).collect()
}

fn finish(r: &mut Running, entries: &[Entry], cfg: &Config) {
    let mut ignored = 0usize;
    drain(r.report, &mut r.report_buf, 24, &mut ignored);
    drain(r.output, &mut r.out_buf, cfg.output_cap, &mut r.out_total);
    drain(r.values, &mut r.values_buf, cfg.values_cap, &mut r.values_total);
    if !r.spawn_failed {
        unsafe {
            libc::killpg(r.pid, libc::SIGKILL); // leftovers of the child's group (forked helpers, threads)
        }
        if cfg.uid_base != 0 {
            reap_uid(cfg.uid_base + r.uid_slot);
        }
    }
    unsafe {
        libc::close(r.report);
        libc::close(r.output);
        libc::close(r.values);
    }
    let status = r.status.unwrap_or(0);
    let (exited, code, signal) = unsafe {
        if libc::WIFEXITED(status) { (true, libc::WEXITSTATUS(status), 0) } else { (false, -1, libc::WTERMSIG(status)) }
    };
    let mut report = String::from("null");
    if r.report_buf.len() == 24 && r.report_buf[..8] == r.token.to_le_bytes() {
        let passed = u64::from_le_bytes(r.report_buf[8..16].try_into().unwrap());
        let failed = u64::from_le_bytes(r.report_buf[16..24].try_into().unwrap());
        report = format!("[{},{}]", passed, failed);
    }
    let line = format!(
        "\nSIGIL {{\"index\":{},\"exited\":{},\"code\":{},\"signal\":{},\"killed\":{},\"report\":{},\"wall_ms\":{},\"output_bytes\":{},\"output\":\"{}\",\"values_bytes\":{},\"values\":\"{}\",\"spawn_failed\":{}}}\n",
        entries[r.entry].index, exited, code, signal, r.killed, report,
        r.started.elapsed().as_millis(), r.out_total, hex(&r.out_buf), r.values_total, hex(&r.values_buf), r.spawn_failed
    );
    let out = std::io::stdout();
    let mut lock = out.lock();
    lock.write_all(line.as_bytes()).unwrap();
    lock.flush().unwrap();
}

/// The batch crate's entry: the settings come as the process's arguments.
pub fn run(entries: &[Entry]) {
    let settings: Vec<u64> = std::env::args().skip(1).map(|s| s.parse().expect("numeric argument")).collect();
    run_with(&settings, entries);
}

/// The isolated path's entry (one sample's crate, run by libtest as its one selected test): the settings are
/// compiled in, since libtest owns the process's arguments.
pub fn run_with(settings: &[u64], entries: &[Entry]) {
    let cfg = config(settings);
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let mut next = 0usize;
    let mut running: Vec<Running> = Vec::new();
    let mut free_slots: Vec<u32> = (0..cfg.children as u32).rev().collect();
    while next < entries.len() || !running.is_empty() {
        while running.len() < cfg.children && next < entries.len() {
            let slot = free_slots.pop().unwrap();
            running.push(spawn(entries, next, &cfg, slot));
            next += 1;
        }
        let mut polls: Vec<libc::pollfd> = Vec::new();
        for r in &running {
            for (fd, closed) in [r.report, r.output, r.values].into_iter().zip(r.closed) {
                if !closed {
                    polls.push(libc::pollfd { fd, events: libc::POLLIN, revents: 0 });
                }
            }
        }
        unsafe {
            libc::poll(polls.as_mut_ptr(), polls.len() as libc::nfds_t, 20);
        }
        let mut i = 0;
        while i < running.len() {
            let r = &mut running[i];
            let mut ignored = 0usize;
            r.closed[0] |= drain(r.report, &mut r.report_buf, 24, &mut ignored);
            r.closed[1] |= drain(r.output, &mut r.out_buf, cfg.output_cap, &mut r.out_total);
            r.closed[2] |= drain(r.values, &mut r.values_buf, cfg.values_cap, &mut r.values_total);
            let mut status = 0;
            // never waitpid(-1): a child that was never started (spawn_failed) has its status already
            let waited = match r.status {
                Some(_) => 0,
                None => unsafe { libc::waitpid(r.pid, &mut status, libc::WNOHANG) },
            };
            if waited == r.pid {
                r.status = Some(status);
            } else if r.started.elapsed() > Duration::from_millis(cfg.wall_ms + 1000) && !r.killed {
                unsafe {
                    libc::killpg(r.pid, libc::SIGKILL);
                    libc::kill(r.pid, libc::SIGKILL);
                }
                r.killed = true;
            }
            if r.status.is_some() {
                let mut done = running.swap_remove(i);
                finish(&mut done, entries, &cfg);
                free_slots.push(done.uid_slot);
            } else {
                i += 1;
            }
        }
    }
}

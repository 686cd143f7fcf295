//! No network at run time: every command but `models pull` runs under a seccomp filter that
//! kills the process on its first `socket()` call, so a single attempt to open a connection
//! fails the test (SIGSYS), whatever the command does with the error.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::os::unix::process::CommandExt;

const SOCKET_NR: u32 = if cfg!(target_arch = "x86_64") {
    41
} else if cfg!(target_arch = "aarch64") {
    198
} else {
    u32::MAX
};

const AUDIT_ARCH: u32 = if cfg!(target_arch = "x86_64") {
    0xC000_003E
} else {
    0xC000_00B7
};

/// Kill the calling process on `socket()`; allow everything else. Runs in the child between
/// fork and exec; the filter stays through exec (no_new_privs).
fn deny_sockets() -> std::io::Result<()> {
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    const ALLOW: u32 = 0x7fff_0000;
    const KILL_PROCESS: u32 = 0x8000_0000;
    let filter = [
        // Another architecture's syscall numbers mean something else: allow (not ours to judge).
        libc::sock_filter {
            code: LD_W_ABS,
            jt: 0,
            jf: 0,
            k: 4,
        },
        libc::sock_filter {
            code: JEQ_K,
            jt: 1,
            jf: 0,
            k: AUDIT_ARCH,
        },
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: ALLOW,
        },
        libc::sock_filter {
            code: LD_W_ABS,
            jt: 0,
            jf: 0,
            k: 0,
        },
        libc::sock_filter {
            code: JEQ_K,
            jt: 0,
            jf: 1,
            k: SOCKET_NR,
        },
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: KILL_PROCESS,
        },
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: ALLOW,
        },
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prctl with a valid, fully initialised BPF program that outlives the call.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            || libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &program as *const _,
            ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn sandboxed(args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("notewright"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-notewright-test")
        .env("NOTEWRIGHT_TODAY", "2026-12-01");
    // SAFETY: deny_sockets only calls prctl, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(deny_sockets);
    }
    cmd.output().expect("run notewright")
}

#[test]
fn every_offline_command_opens_no_socket() {
    // The filter itself must work, or the test proves nothing: a program that opens a socket
    // dies under it.
    let mut probe = std::process::Command::new("python3");
    probe.args(["-c", "import socket; socket.socket()"]);
    unsafe {
        probe.pre_exec(deny_sockets);
    }
    let status = probe.status().expect("python3 runs");
    assert!(
        !status.success(),
        "the seccomp filter did not stop socket()"
    );

    let runs: &[&[&str]] = &[
        &["classify", "Great meeting you at the Lisbon Data Summit!"],
        &[
            "classify",
            "--engine",
            "rules",
            "--input",
            "data/holdout.jsonl",
        ],
        &[
            "draft",
            "invite",
            "--profile",
            "examples/dana-reyes.json",
            "--me",
            "examples/me.toml",
        ],
        &[
            "draft",
            "ask",
            "--profile",
            "examples/priya-shah.json",
            "--me",
            "examples/me.toml",
            "--engine",
            "model",
        ],
        &[
            "triage",
            "--profile",
            "examples/lee-park.json",
            "--me",
            "examples/me.toml",
        ],
        &["check", "Hi Dana, great meeting you at DevConf."],
        &["eval", "--input", "data/holdout.jsonl", "--engine", "rules"],
        &["inbox", "examples/export", "--me", "examples/me.toml"],
        &["audit", "examples/export"],
        &["models", "list"],
    ];
    let models = nw_store::Store::discover()
        .default_for(nw_store::Role::Generate)
        .is_ok();
    assert!(
        models || std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the models are not installed: run models/fetch"
    );
    for args in runs {
        if args.contains(&"model") && !models {
            eprintln!("SKIPPED {args:?}: the language model is not installed (run models/fetch)");
            continue;
        }
        let out = sandboxed(args);
        assert!(
            out.status.success(),
            "{args:?} under the no-socket filter: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

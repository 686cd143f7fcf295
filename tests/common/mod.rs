//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The binary, isolated from the developer's own `me.toml`.
pub fn nw() -> Command {
    let mut cmd = Command::cargo_bin("notewright").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-notewright-test");
    cmd
}

/// Run, require success, parse stdout as JSON.
pub fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

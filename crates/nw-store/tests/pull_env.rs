//! `Store::pull` reading HF_ENDPOINT / HF_HOME from the environment. Alone in its own test binary
//! (own process), because environment variables are process-global.

mod common;

use std::time::{Duration, Instant};

use nw_store::{Store, StoreError};

#[test]
fn pull_with_hf_endpoint_on_a_closed_port_is_a_quick_network_error() {
    let tiny = common::Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    std::env::set_var("HF_ENDPOINT", "http://127.0.0.1:9");
    std::env::set_var("HF_HOME", tmp.path().join("hf"));
    for k in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        std::env::remove_var(k);
    }
    let s = Store::with_roots(vec![tmp.path().join("store")]).with_manifest(tiny.manifest());
    let t = Instant::now();
    let err = s.pull("tiny-embed", false).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Network(_)), "{msg}");
    assert!(msg.contains("cannot reach http://127.0.0.1:9"), "{msg}");
    assert!(
        msg.contains("offline?") && msg.contains("models/fetch"),
        "{msg}"
    );
    assert!(common::files_under(&tmp.path().join("hf")).is_empty());
}

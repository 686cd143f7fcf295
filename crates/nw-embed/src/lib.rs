//! Sentence embeddings with sentence-transformers `all-MiniLM-L6-v2` (BERT, 384-d).
//!
//! Pipeline: WordPiece tokenisation (`tokenizers`, truncation at 256 tokens) → BERT encoder →
//! attention-masked mean pooling → L2 normalisation, i.e. exactly what
//! `SentenceTransformer("all-MiniLM-L6-v2").encode(texts, normalize_embeddings=True)` computes.
//!
//! The weights are read with candle (`candle_core::safetensors`), but the forward pass is a small
//! hand-written CPU BERT ([`model`]) built for throughput on a couple of cores:
//!
//! * sequences are **packed** (no padding at all): every linear layer runs as one big GEMM over
//!   all tokens of the batch, and attention runs per sequence, so no token is ever computed twice
//!   and no attention mask is needed (this is equivalent to attention-masked mean pooling over a
//!   padded batch);
//! * on CPUs with Intel AMX (Sapphire Rapids and later) the linear layers run on bf16 tiles with
//!   f32 accumulation ([`Embedder::backend`] = `"amx-bf16"`, cosine >= 0.99997 to the f32
//!   reference), otherwise on f32 `gemm`; `NW_EMBED_NO_AMX=1` forces f32;
//! * Q, K and V are fused into one GEMM, biases and residuals are folded into the GEMM output;
//! * exact (erf) GELU and softmax use vectorisable polynomial approximations (|err| < 1e-6)
//!   instead of scalar libm calls;
//! * texts are sorted by token length before batching, so batches hold similar-length texts,
//!   and results come back in input order.

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod amx;
mod model;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tokenizers::{
    PaddingParams, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

pub use model::BertConfig;

/// Maximum number of tokens (including `[CLS]` and `[SEP]`) fed to the model, as in
/// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2.
pub const MAX_SEQ_LEN: usize = 256;

/// Default number of texts per forward pass (measured best on 2 cores for short notes: small
/// batches keep the activations in L2).
pub const DEFAULT_BATCH_SIZE: usize = 12;

/// Errors from loading or running the embedder.
#[derive(thiserror::Error, Debug)]
pub enum EmbedError {
    /// A model file (or the model directory) does not exist.
    #[error("missing model file: {}", .0.display())]
    MissingFile(PathBuf),
    /// A model file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `config.json` is malformed or describes an unsupported model.
    #[error("bad model config {}: {msg}", path.display())]
    BadConfig { path: PathBuf, msg: String },
    /// The weights do not match the config (missing tensor, wrong shape, ...).
    #[error("bad model weights: {0}")]
    BadWeights(String),
    /// The tokenizer could not be loaded or failed on an input.
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// Error from candle while reading the safetensors file.
    #[error("candle error: {0}")]
    Candle(#[from] candle_core::Error),
}

/// A loaded sentence-embedding model.
pub struct Embedder {
    tokenizer: Tokenizer,
    model: model::Bert,
    batch_size: usize,
    max_len: usize,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("config", &self.model.config)
            .field("batch_size", &self.batch_size)
            .field("max_len", &self.max_len)
            .finish()
    }
}

fn require_file(path: &Path) -> Result<(), EmbedError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(EmbedError::MissingFile(path.to_path_buf()))
    }
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `model_dir`.
    pub fn load(model_dir: &Path) -> Result<Embedder, EmbedError> {
        if !model_dir.is_dir() {
            return Err(EmbedError::MissingFile(model_dir.to_path_buf()));
        }
        Self::load_files(
            &model_dir.join("config.json"),
            &model_dir.join("tokenizer.json"),
            &model_dir.join("model.safetensors"),
        )
    }

    /// Loads the model from explicit file paths.
    pub fn load_files(
        config: &Path,
        tokenizer: &Path,
        weights: &Path,
    ) -> Result<Embedder, EmbedError> {
        require_file(config)?;
        require_file(tokenizer)?;
        require_file(weights)?;

        let text = std::fs::read_to_string(config).map_err(|source| EmbedError::Io {
            path: config.to_path_buf(),
            source,
        })?;
        let cfg: BertConfig = serde_json::from_str(&text).map_err(|e| EmbedError::BadConfig {
            path: config.to_path_buf(),
            msg: e.to_string(),
        })?;
        cfg.validate().map_err(|msg| EmbedError::BadConfig {
            path: config.to_path_buf(),
            msg,
        })?;

        let mut tok = Tokenizer::from_file(tokenizer)
            .map_err(|e| EmbedError::Tokenizer(format!("{}: {e}", tokenizer.display())))?;
        let max_len = MAX_SEQ_LEN.min(cfg.max_position_embeddings);
        // tokenizer.json ships with fixed padding to 128 and truncation at 128: replace both.
        tok.with_padding(None::<PaddingParams>);
        tok.with_truncation(Some(TruncationParams {
            direction: TruncationDirection::Right,
            max_length: max_len,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
        }))
        .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;

        let model = model::Bert::load(weights, cfg)?;
        Ok(Embedder {
            tokenizer: tok,
            model,
            batch_size: DEFAULT_BATCH_SIZE,
            max_len,
        })
    }

    /// Sets the number of texts per forward pass (0 is treated as 1).
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// Number of texts per forward pass.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Embedding dimension (384 for all-MiniLM-L6-v2).
    pub fn dim(&self) -> usize {
        self.model.config.hidden_size
    }

    /// Which matrix-multiply backend the linear layers use: `"amx-bf16"` (Intel AMX tiles, bf16
    /// inputs with f32 accumulation) or `"f32"` (`gemm` crate). Set `NW_EMBED_NO_AMX=1` to force
    /// `"f32"`.
    pub fn backend(&self) -> &'static str {
        self.model.backend()
    }

    /// Maximum number of tokens per text (longer texts are truncated).
    pub fn max_tokens(&self) -> usize {
        self.max_len
    }

    /// Token ids the model sees for `text` (with `[CLS]`/`[SEP]`, after truncation).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let mut ids = enc.get_ids().to_vec();
        // Belt and braces: the truncation params already guarantee this.
        ids.truncate(self.max_len);
        Ok(ids)
    }

    /// Embeds `texts`; returns one L2-normalised vector per text, in input order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Vec<u32>> = texts
            .par_iter()
            .map(|t| self.token_ids(t))
            .collect::<Result<_, _>>()?;

        // Sort by length so each batch holds texts of similar length.
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());

        let dim = self.dim();
        let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(self.batch_size) {
            let seqs: Vec<&[u32]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            let pooled = self.model.embed_packed(&seqs)?;
            for (k, &i) in chunk.iter().enumerate() {
                out[i] = pooled[k * dim..(k + 1) * dim].to_vec();
            }
        }
        Ok(out)
    }

    /// Embeds one text.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let ids = self.token_ids(text)?;
        self.model.embed_packed(&[ids.as_slice()])
    }
}

/// Cosine similarity; 0.0 when either vector is all zeros or the lengths differ.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64, y as f64);
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na.sqrt() * nb.sqrt())) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_basics() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 2.0], &[-1.0, -2.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[], &[]), 0.0);
    }

    #[test]
    fn missing_dir_names_path() {
        let p = Path::new("/definitely/not/here/nw-embed-model");
        let err = Embedder::load(p).unwrap_err();
        assert!(matches!(err, EmbedError::MissingFile(_)));
        assert!(
            err.to_string()
                .contains("/definitely/not/here/nw-embed-model"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_names_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = Embedder::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("config.json"), "{err}");
        assert!(
            err.to_string().contains(&dir.path().display().to_string()),
            "{err}"
        );
    }
}

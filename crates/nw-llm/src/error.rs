//! Error type for the runtime.

use std::path::PathBuf;

/// Everything that can go wrong while loading or running a model.
#[derive(thiserror::Error, Debug)]
pub enum LlmError {
    /// The model file does not exist.
    #[error("model file not found: {}", .0.display())]
    NotFound(PathBuf),
    /// Reading or writing a file failed.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a readable GGUF file (wrong magic, truncated, corrupt).
    #[error("{} is not a valid GGUF model file (truncated or corrupt?): {reason}", path.display())]
    InvalidGguf { path: PathBuf, reason: String },
    /// `general.architecture` names a model family this runtime cannot run.
    #[error("unsupported architecture \"{0}\" (supported: llama, qwen2, gemma3)")]
    UnsupportedArchitecture(String),
    /// A required metadata key is missing or has the wrong type.
    #[error("GGUF metadata: {0}")]
    Metadata(String),
    /// `tokenizer.ggml.model` is not one we can build.
    #[error("unsupported tokenizer model \"{0}\"")]
    UnsupportedTokenizerModel(String),
    /// `tokenizer.ggml.pre` names a pre-tokenizer we do not know; guessing would give wrong ids.
    #[error("unknown tokenizer pre-tokenizer \"{0}\"")]
    UnknownPreTokenizer(String),
    /// Building or running the tokenizer failed.
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// The chat template is missing, does not parse or failed to render.
    #[error("chat template error: {0}")]
    Template(String),
    /// Prompt plus requested tokens do not fit in the context window.
    #[error(
        "prompt of {prompt} tokens plus {max_new} new tokens exceeds the context length {ctx}"
    )]
    ContextOverflow {
        prompt: usize,
        max_new: usize,
        ctx: usize,
    },
    /// The prompt encoded to zero tokens.
    #[error("empty prompt")]
    EmptyPrompt,
    /// An error from the candle tensor library.
    #[error("candle error: {0}")]
    Candle(#[from] candle_core::Error),
    /// A bug or malformed input caught as a panic inside a dependency.
    #[error("internal error: {0}")]
    Internal(String),
}

impl LlmError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LlmError::Io {
            path: path.into(),
            source,
        }
    }
}

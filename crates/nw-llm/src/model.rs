//! The supported model families behind one forward interface.

use crate::LlmError;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::{quantized_gemma3, quantized_llama, quantized_qwen2};
use std::io::Cursor;

pub(crate) enum Weights {
    Llama(Box<crate::llama::Llama>),
    CandleLlama(Box<quantized_llama::ModelWeights>),
    Qwen2(Box<quantized_qwen2::ModelWeights>),
    Gemma3(Box<quantized_gemma3::ModelWeights>),
}

pub(crate) const SUPPORTED: &[&str] = &["llama", "qwen2", "gemma3"];

impl Weights {
    pub(crate) fn load(arch: &str, ct: Content, bytes: &[u8]) -> Result<Self, LlmError> {
        let dev = Device::Cpu;
        let mut r = Cursor::new(bytes);
        // candle's loaders index and unwrap in places; a malformed file must not take the
        // process down, so a panic here is reported as an error.
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            Ok::<_, LlmError>(match arch {
                "llama" if use_candle_llama() => Weights::CandleLlama(Box::new(
                    quantized_llama::ModelWeights::from_gguf(ct, &mut r, &dev)?,
                )),
                "llama" => Weights::Llama(Box::new(crate::llama::Llama::from_gguf(&ct, bytes)?)),
                "qwen2" => Weights::Qwen2(Box::new(quantized_qwen2::ModelWeights::from_gguf(
                    ct, &mut r, &dev,
                )?)),
                "gemma3" => Weights::Gemma3(Box::new(quantized_gemma3::ModelWeights::from_gguf(
                    ct, &mut r, &dev,
                )?)),
                other => return Err(LlmError::UnsupportedArchitecture(other.to_string())),
            })
        }));
        match res {
            Ok(r) => r,
            Err(_) => Err(LlmError::Internal(
                "model construction panicked (malformed tensors?)".into(),
            )),
        }
    }

    /// Logits for the last position, as a Vec. `index_pos == 0` starts a fresh KV cache.
    pub(crate) fn forward(
        &mut self,
        tokens: &[u32],
        index_pos: usize,
    ) -> Result<Vec<f32>, LlmError> {
        if let Weights::Llama(m) = self {
            return m.forward(tokens, index_pos);
        }
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let logits = match self {
            // Handled above; kept so the match stays exhaustive without a panic.
            Weights::Llama(m) => return m.forward(tokens, index_pos),
            Weights::CandleLlama(m) => m.forward(&input, index_pos)?,
            Weights::Qwen2(m) => m.forward(&input, index_pos)?,
            Weights::Gemma3(m) => m.forward(&input, index_pos)?,
        };
        Ok(logits
            .squeeze(0)?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?)
    }
}

impl Weights {
    /// Log-probabilities of `continuation` after `prefix` (token ids), one per continuation
    /// token. The prefix's cache is kept when `reuse_prefix` says it is already there.
    pub(crate) fn score(
        &mut self,
        prefix: &[u32],
        continuation: &[u32],
        reuse_prefix: bool,
    ) -> Result<Vec<f32>, LlmError> {
        if prefix.is_empty() || continuation.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        // Logits at the last prefix position predict the first continuation token, and so on.
        let rows: Vec<Vec<f32>> = match self {
            Weights::Llama(m) => {
                // With the prefix cached, only its last token is run again, for its logits.
                let from = if reuse_prefix { prefix.len() - 1 } else { 0 };
                m.truncate_cache(from);
                let mut feed = prefix[from..].to_vec();
                feed.extend_from_slice(&continuation[..continuation.len() - 1]);
                let logits = m.forward_rows(&feed, from, continuation.len())?;
                let vocab = logits.len() / continuation.len();
                logits.chunks_exact(vocab).map(<[f32]>::to_vec).collect()
            }
            _ => {
                // Reference implementations return the last position only: step through.
                let mut rows = Vec::with_capacity(continuation.len());
                let mut logits = self.forward(prefix, 0)?;
                for (i, &t) in continuation.iter().enumerate() {
                    rows.push(std::mem::take(&mut logits));
                    if i + 1 < continuation.len() {
                        logits = self.forward(&[t], prefix.len() + i)?;
                    }
                }
                rows
            }
        };
        Ok(rows
            .iter()
            .zip(continuation)
            .map(|(row, &t)| log_softmax_at(row, t as usize))
            .collect())
    }
}

/// `log softmax(row)[index]`, computed stably.
fn log_softmax_at(row: &[f32], index: usize) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = row.iter().map(|&l| (l - max).exp()).sum();
    row.get(index)
        .map_or(f32::NEG_INFINITY, |&l| l - max - sum.ln())
}

/// `NW_LLM_CANDLE_LLAMA=1` selects candle's reference llama implementation (for comparison).
pub(crate) fn use_candle_llama() -> bool {
    std::env::var("NW_LLM_CANDLE_LLAMA").as_deref() == Ok("1")
}

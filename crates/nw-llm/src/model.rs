//! The supported model families behind one forward interface.

use crate::LlmError;
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::{quantized_gemma3, quantized_llama, quantized_qwen2};
use std::io::Cursor;

pub(crate) enum Weights {
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
                "llama" => Weights::CandleLlama(Box::new(
                    quantized_llama::ModelWeights::from_gguf(ct, &mut r, &dev)?,
                )),
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
    pub(crate) fn forward(&mut self, tokens: &[u32], index_pos: usize) -> Result<Vec<f32>, LlmError> {
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let logits = match self {
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

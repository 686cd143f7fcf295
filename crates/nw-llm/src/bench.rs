//! Throughput measurement for a loaded model.

use crate::{ChatModel, LlmError, SamplingParams};
use std::time::Duration;

/// Prefill and decode throughput.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub threads: usize,
    pub prompt_tokens: usize,
    pub prefill: Duration,
    pub prefill_tok_s: f64,
    /// Tokens produced by single-token forward passes (the first comes from the prefill).
    pub decode_tokens: usize,
    pub decode: Duration,
    pub decode_tok_s: f64,
}

/// Filler prompt for benchmarking: plain English, no special meaning.
const BENCH_TEXT: &str = "The history of the printing press begins in the fifteenth century, \
when movable metal type made it possible to produce books faster and more cheaply than ever \
before. Within a few decades, presses had spread to hundreds of towns, and the number of books \
in circulation grew from thousands to millions. Scholars exchanged ideas more quickly, \
vernacular languages gained written standards, and literacy slowly spread beyond the clergy \
and the nobility. ";

/// Measure prefill tok/s on a prompt of about `prompt_tokens` tokens and decode tok/s over
/// `gen_tokens` greedy tokens (end-of-sequence ignored so the count is exact).
/// `bench(model, 300, 128)` gives the standard figures.
pub fn bench(
    model: &mut ChatModel,
    prompt_tokens: usize,
    gen_tokens: usize,
) -> Result<BenchReport, LlmError> {
    let unit = model.encode(BENCH_TEXT)?;
    if unit.is_empty() {
        return Err(LlmError::EmptyPrompt);
    }
    let want = prompt_tokens
        .max(1)
        .min(model.context_length().saturating_sub(gen_tokens + 1).max(1));
    let ids: Vec<u32> = unit.iter().copied().cycle().take(want).collect();
    let params = SamplingParams {
        max_new_tokens: gen_tokens.max(1),
        ..SamplingParams::default()
    };
    // Warm-up: first use starts thread pools and packs weights.
    let warm = SamplingParams {
        max_new_tokens: 2,
        ..SamplingParams::default()
    };
    model.generate_ids(&ids[..ids.len().min(16)], &warm, true, None)?;
    let (_, g) = model.generate_ids(&ids, &params, true, None)?;
    let decode_tokens = g.generated_tokens.saturating_sub(1);
    let secs = |d: Duration| d.as_secs_f64().max(1e-9);
    Ok(BenchReport {
        threads: crate::effective_threads(),
        prompt_tokens: g.prompt_tokens,
        prefill: g.prefill,
        prefill_tok_s: g.prompt_tokens as f64 / secs(g.prefill),
        decode_tokens,
        decode: g.decode,
        decode_tok_s: decode_tokens as f64 / secs(g.decode),
    })
}

//! Token selection: repeat penalty, greedy / temperature / top-p, seeded.

use crate::{LlmError, SamplingParams};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::SeedableRng;

pub(crate) struct Sampler {
    rng: StdRng,
    temperature: Option<f64>,
    top_p: Option<f64>,
    repeat_penalty: f32,
    repeat_last_n: usize,
    probs: Vec<(f32, u32)>,
}

impl Sampler {
    pub(crate) fn new(p: &SamplingParams) -> Self {
        Sampler {
            rng: StdRng::seed_from_u64(p.seed),
            temperature: (p.temperature >= 1e-7).then_some(p.temperature),
            top_p: p.top_p.filter(|&t| t > 0.0 && t < 1.0),
            repeat_penalty: p.repeat_penalty,
            repeat_last_n: p.repeat_last_n,
            probs: Vec::new(),
        }
    }

    pub(crate) fn sample(&mut self, logits: &mut [f32], context: &[u32]) -> Result<u32, LlmError> {
        if logits.is_empty() {
            return Err(LlmError::Internal("empty logits".into()));
        }
        if self.repeat_penalty != 1.0 && self.repeat_last_n > 0 {
            let start = context.len().saturating_sub(self.repeat_last_n);
            let mut seen = std::collections::HashSet::new();
            for &t in &context[start..] {
                if !seen.insert(t) {
                    continue;
                }
                if let Some(l) = logits.get_mut(t as usize) {
                    // Same rule as llama.cpp / candle: shrink positive logits, grow negative ones.
                    if *l >= 0.0 {
                        *l /= self.repeat_penalty
                    } else {
                        *l *= self.repeat_penalty
                    }
                }
            }
        }
        let Some(temp) = self.temperature else {
            return Ok(argmax(logits));
        };
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let inv_t = (1.0 / temp) as f32;
        self.probs.clear();
        let mut sum = 0f32;
        for (i, &l) in logits.iter().enumerate() {
            let p = ((l - max) * inv_t).exp();
            sum += p;
            self.probs.push((p, i as u32));
        }
        // NaN-safe: a NaN sum fails `sum > 0.0` too.
        if sum.is_nan() || sum <= 0.0 || !sum.is_finite() {
            return Ok(argmax(logits));
        }
        if let Some(top_p) = self.top_p {
            // Keep the smallest set of most likely tokens whose mass reaches top_p.
            self.probs
                .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let target = top_p as f32 * sum;
            let mut cum = 0f32;
            let mut keep = self.probs.len();
            for (i, (p, _)) in self.probs.iter().enumerate() {
                cum += p;
                if cum >= target {
                    keep = i + 1;
                    break;
                }
            }
            self.probs.truncate(keep.max(1));
        }
        let dist = WeightedIndex::new(self.probs.iter().map(|p| p.0))
            .map_err(|e| LlmError::Internal(format!("sampling: {e}")))?;
        Ok(self.probs[dist.sample(&mut self.rng)].1)
    }
}

fn argmax(xs: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut bv = f32::NEG_INFINITY;
    for (i, &v) in xs.iter().enumerate() {
        if v > bv {
            bv = v;
            best = i;
        }
    }
    best as u32
}

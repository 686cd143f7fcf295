//! A small CPU BERT encoder over packed (unpadded) sequences.
//!
//! Layout: activations are row-major `(tokens, features)` matrices holding the tokens of every
//! sequence of the batch back to back. Linear layers are one GEMM over all those rows (`gemm`
//! crate, the same kernels candle uses); attention is computed per sequence, so padding and
//! attention masks never appear. Weights are stored transposed, `(in, out)` row-major.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use gemm::Parallelism;
use rayon::prelude::*;
use serde::Deserialize;

use crate::EmbedError;

/// The subset of a Hugging Face BERT `config.json` this encoder needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

impl BertConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.hidden_act != "gelu" {
            return Err(format!(
                "unsupported hidden_act {:?} (only \"gelu\")",
                self.hidden_act
            ));
        }
        if let Some(p) = &self.position_embedding_type {
            if p != "absolute" {
                return Err(format!("unsupported position_embedding_type {p:?}"));
            }
        }
        let zero = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be > 0"));
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "hidden_size {} not divisible by num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        Ok(())
    }
}

struct LayerNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    /// `(H, 3H)`: Q (pre-scaled by 1/sqrt(head_dim)), K, V side by side.
    w_qkv: Mat,
    b_qkv: Vec<f32>,
    /// `(H, H)`
    w_o: Mat,
    b_o: Vec<f32>,
    ln_attn: LayerNorm,
    /// `(H, I)`
    w_in: Mat,
    b_in: Vec<f32>,
    /// `(I, H)`
    w_out: Mat,
    b_out: Vec<f32>,
    ln_out: LayerNorm,
}

pub(crate) struct Bert {
    pub(crate) config: BertConfig,
    eps: f32,
    word: Vec<f32>,
    pos: Vec<f32>,
    /// token type 0 row (all inputs are single segments)
    type0: Vec<f32>,
    ln_emb: LayerNorm,
    layers: Vec<Layer>,
}

struct Weights {
    tensors: std::collections::HashMap<String, Tensor>,
    prefix: String,
}

impl Weights {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let full = format!("{}{name}", self.prefix);
        let t = self
            .tensors
            .get(&full)
            .ok_or_else(|| EmbedError::BadWeights(format!("tensor {full} not found")))?;
        if t.dims() != shape {
            return Err(EmbedError::BadWeights(format!(
                "tensor {full} has shape {:?}, expected {shape:?}",
                t.dims()
            )));
        }
        Ok(t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?)
    }

    /// A PyTorch `Linear` weight `(out, in)`, returned transposed as `(in, out)`.
    fn linear_t(&self, name: &str, out_f: usize, in_f: usize) -> Result<Vec<f32>, EmbedError> {
        let w = self.get(name, &[out_f, in_f])?;
        Ok(transpose(&w, out_f, in_f))
    }

    fn layer_norm(&self, name: &str, h: usize) -> Result<LayerNorm, EmbedError> {
        Ok(LayerNorm {
            gamma: self.get(&format!("{name}.weight"), &[h])?,
            beta: self.get(&format!("{name}.bias"), &[h])?,
        })
    }
}

fn transpose(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = w[r * cols + c];
        }
    }
    t
}

impl Bert {
    pub(crate) fn load(path: &Path, config: BertConfig) -> Result<Bert, EmbedError> {
        let tensors = candle_core::safetensors::load(path, &Device::Cpu)?;
        let prefix = ["", "bert.", "model."]
            .iter()
            .find(|p| tensors.contains_key(&format!("{p}embeddings.word_embeddings.weight")))
            .ok_or_else(|| {
                EmbedError::BadWeights(format!(
                    "{}: no embeddings.word_embeddings.weight tensor",
                    path.display()
                ))
            })?
            .to_string();
        let w = Weights { tensors, prefix };
        let h = config.hidden_size;
        let inter = config.intermediate_size;
        let head_dim = h / config.num_attention_heads;
        let q_scale = 1.0 / (head_dim as f32).sqrt();

        let word = w.get("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let pos = w.get(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let types = w.get(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab_size, h],
        )?;
        let type0 = types[..h].to_vec();
        let ln_emb = w.layer_norm("embeddings.LayerNorm", h)?;

        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let wq = w.linear_t(&format!("{p}.attention.self.query.weight"), h, h)?;
            let wk = w.linear_t(&format!("{p}.attention.self.key.weight"), h, h)?;
            let wv = w.linear_t(&format!("{p}.attention.self.value.weight"), h, h)?;
            let bq = w.get(&format!("{p}.attention.self.query.bias"), &[h])?;
            let bk = w.get(&format!("{p}.attention.self.key.bias"), &[h])?;
            let bv = w.get(&format!("{p}.attention.self.value.bias"), &[h])?;
            let mut w_qkv = Vec::with_capacity(h * 3 * h);
            for r in 0..h {
                w_qkv.extend(wq[r * h..(r + 1) * h].iter().map(|x| x * q_scale));
                w_qkv.extend_from_slice(&wk[r * h..(r + 1) * h]);
                w_qkv.extend_from_slice(&wv[r * h..(r + 1) * h]);
            }
            let mut b_qkv = Vec::with_capacity(3 * h);
            b_qkv.extend(bq.iter().map(|x| x * q_scale));
            b_qkv.extend_from_slice(&bk);
            b_qkv.extend_from_slice(&bv);
            layers.push(Layer {
                w_qkv: Mat::new(w_qkv, h, 3 * h),
                b_qkv,
                w_o: Mat::new(
                    w.linear_t(&format!("{p}.attention.output.dense.weight"), h, h)?,
                    h,
                    h,
                ),
                b_o: w.get(&format!("{p}.attention.output.dense.bias"), &[h])?,
                ln_attn: w.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                w_in: Mat::new(
                    w.linear_t(&format!("{p}.intermediate.dense.weight"), inter, h)?,
                    h,
                    inter,
                ),
                b_in: w.get(&format!("{p}.intermediate.dense.bias"), &[inter])?,
                w_out: Mat::new(
                    w.linear_t(&format!("{p}.output.dense.weight"), h, inter)?,
                    inter,
                    h,
                ),
                b_out: w.get(&format!("{p}.output.dense.bias"), &[h])?,
                ln_out: w.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(Bert {
            eps: config.layer_norm_eps as f32,
            config,
            word,
            pos,
            type0,
            ln_emb,
            layers,
        })
    }

    pub(crate) fn backend(&self) -> &'static str {
        match self.layers.first().map(|l| &l.w_in) {
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            Some(Mat::Amx(_)) => "amx-bf16",
            _ => "f32",
        }
    }

    /// Runs the encoder over `seqs` (token ids incl. special tokens) and returns the
    /// mean-pooled, L2-normalised embeddings, `seqs.len() * hidden_size` floats.
    pub(crate) fn embed_packed(&self, seqs: &[&[u32]]) -> Result<Vec<f32>, EmbedError> {
        let h = self.config.hidden_size;
        let inter = self.config.intermediate_size;
        let heads = self.config.num_attention_heads;
        for s in seqs {
            if s.is_empty() {
                return Err(EmbedError::Tokenizer("empty token sequence".into()));
            }
            if s.len() > self.config.max_position_embeddings {
                return Err(EmbedError::Tokenizer(format!(
                    "sequence of {} tokens exceeds max_position_embeddings {}",
                    s.len(),
                    self.config.max_position_embeddings
                )));
            }
            if let Some(&bad) = s.iter().find(|&&id| id as usize >= self.config.vocab_size) {
                return Err(EmbedError::Tokenizer(format!(
                    "token id {bad} outside the vocabulary ({})",
                    self.config.vocab_size
                )));
            }
        }
        let n_real: usize = seqs.iter().map(|s| s.len()).sum();
        // Activation buffers get a multiple of 32 rows (AMX tile blocks); the padding rows are
        // computed like any other row and ignored.
        let n = n_real.div_ceil(32) * 32;
        let threads = rayon::current_num_threads().max(1);
        let par = if threads > 1 {
            Parallelism::Rayon(threads)
        } else {
            Parallelism::None
        };
        let grain = n.div_ceil(threads * 4).max(1);

        // Embeddings: word + position + token type 0, then LayerNorm.
        let mut x = vec![0f32; n * h];
        {
            let mut rows: Vec<(u32, usize)> = Vec::with_capacity(n);
            for s in seqs {
                rows.extend(s.iter().enumerate().map(|(p, &id)| (id, p)));
            }
            x[..n_real * h]
                .par_chunks_mut(h * grain)
                .zip(rows.par_chunks(grain))
                .for_each(|(xc, rc)| {
                    for (row, &(id, p)) in xc.chunks_exact_mut(h).zip(rc) {
                        let wrow = &self.word[id as usize * h..(id as usize + 1) * h];
                        let prow = &self.pos[p * h..(p + 1) * h];
                        for i in 0..h {
                            row[i] = wrow[i] + prow[i] + self.type0[i];
                        }
                        layer_norm(row, &self.ln_emb, self.eps);
                    }
                });
        }

        let mut qkv = vec![0f32; n * 3 * h];
        let mut ctx = vec![0f32; n * h];
        let mut mid = vec![0f32; n * inter];
        let mut y = vec![0f32; n * h];
        for layer in &self.layers {
            // qkv = x @ Wqkv + b
            fill_rows(&mut qkv, &layer.b_qkv, grain);
            layer.w_qkv.matmul_acc(&mut qkv, &x, n, par);
            attention(&qkv, &mut ctx, seqs, h, heads);
            // y = LN(x + ctx @ Wo + bo)
            add_rows(&mut y, &x, &layer.b_o, grain);
            layer.w_o.matmul_acc(&mut y, &ctx, n, par);
            layer_norm_rows(&mut y, &layer.ln_attn, self.eps, grain);
            // mid = gelu(y @ Win + bin)
            fill_rows(&mut mid, &layer.b_in, grain);
            layer.w_in.matmul_acc(&mut mid, &y, n, par);
            mid.par_chunks_mut(inter * grain).for_each(gelu_inplace);
            // x = LN(y + mid @ Wout + bout)
            add_rows(&mut x, &y, &layer.b_out, grain);
            layer.w_out.matmul_acc(&mut x, &mid, n, par);
            layer_norm_rows(&mut x, &layer.ln_out, self.eps, grain);
        }

        // Mean pooling over each sequence's tokens, then L2 normalisation.
        let mut out = vec![0f32; seqs.len() * h];
        let mut start = 0;
        for (s, o) in seqs.iter().zip(out.chunks_exact_mut(h)) {
            for row in x[start * h..(start + s.len()) * h].chunks_exact(h) {
                for (a, b) in o.iter_mut().zip(row) {
                    *a += b;
                }
            }
            start += s.len();
            let inv_len = 1.0 / s.len() as f32;
            o.iter_mut().for_each(|v| *v *= inv_len);
            let norm = o.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            o.iter_mut().for_each(|v| *v /= norm);
        }
        Ok(out)
    }
}

/// A linear layer's weight matrix `(k, n)` (input features × output features).
enum Mat {
    /// Row-major f32, multiplied with the `gemm` crate.
    F32 { w: Vec<f32>, k: usize, n: usize },
    /// bf16, packed for AMX tiles.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    Amx(crate::amx::PackedB),
}

impl Mat {
    fn new(w: Vec<f32>, k: usize, n: usize) -> Mat {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        if crate::amx::available() && crate::amx::supports(k, n) {
            return Mat::Amx(crate::amx::PackedB::pack(&w, k, n));
        }
        Mat::F32 { w, k, n }
    }

    /// `dst (m×n) += a (m×k) @ self`.
    fn matmul_acc(&self, dst: &mut [f32], a: &[f32], m: usize, par: Parallelism) {
        match self {
            Mat::F32 { w, k, n } => matmul_acc(dst, a, w, m, *k, *n, par),
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            Mat::Amx(p) => crate::amx::matmul_acc(dst, a, m, p),
        }
    }
}

/// `dst (m×n) += a (m×k) @ b (k×n)`, all row-major and contiguous.
fn matmul_acc(
    dst: &mut [f32],
    a: &[f32],
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    par: Parallelism,
) {
    assert!(dst.len() >= m * n && a.len() >= m * k && b.len() >= k * n);
    if m == 0 {
        return;
    }
    // SAFETY: the three buffers are large enough for the given dimensions and strides (checked
    // above), `dst` is exclusively borrowed and does not alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            true,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        )
    }
}

/// Every row of `dst` := `bias`.
#[inline(never)]
fn fill_rows(dst: &mut [f32], bias: &[f32], grain: usize) {
    let w = bias.len();
    dst.par_chunks_mut(w * grain)
        .for_each(|c| c.chunks_exact_mut(w).for_each(|r| r.copy_from_slice(bias)));
}

/// Every row of `dst` := row of `src` + `bias`.
#[inline(never)]
fn add_rows(dst: &mut [f32], src: &[f32], bias: &[f32], grain: usize) {
    let w = bias.len();
    dst.par_chunks_mut(w * grain)
        .zip(src.par_chunks(w * grain))
        .for_each(|(d, s)| {
            for (dr, sr) in d.chunks_exact_mut(w).zip(s.chunks_exact(w)) {
                for i in 0..w {
                    dr[i] = sr[i] + bias[i];
                }
            }
        });
}

#[inline(never)]
fn layer_norm_rows(x: &mut [f32], ln: &LayerNorm, eps: f32, grain: usize) {
    let w = ln.gamma.len();
    x.par_chunks_mut(w * grain)
        .for_each(|c| c.chunks_exact_mut(w).for_each(|r| layer_norm(r, ln, eps)));
}

fn layer_norm(row: &mut [f32], ln: &LayerNorm, eps: f32) {
    let n = row.len() as f32;
    let mean = sum8(row) / n;
    let mut var_acc = [0f32; 8];
    let mut chunks = row.chunks_exact(8);
    for c in &mut chunks {
        for l in 0..8 {
            let d = c[l] - mean;
            var_acc[l] += d * d;
        }
    }
    let mut var: f32 = var_acc.iter().sum();
    for &v in chunks.remainder() {
        var += (v - mean) * (v - mean);
    }
    let inv = 1.0 / (var / n + eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(&ln.gamma).zip(&ln.beta) {
        *v = (*v - mean) * inv * g + b;
    }
}

fn sum8(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Self-attention for each sequence; `qkv` rows are `[q (pre-scaled) | k | v]`, `ctx` gets the
/// per-head context vectors concatenated (`h` wide).
fn attention(qkv: &[f32], ctx: &mut [f32], seqs: &[&[u32]], h: usize, heads: usize) {
    // Carve ctx into one mutable block per sequence.
    let mut blocks: Vec<(usize, usize, &mut [f32])> = Vec::with_capacity(seqs.len());
    let mut rest = ctx;
    let mut start = 0;
    for s in seqs {
        let (blk, tail) = rest.split_at_mut(s.len() * h);
        blocks.push((start, s.len(), blk));
        rest = tail;
        start += s.len();
    }
    blocks
        .into_par_iter()
        .for_each(|(start, len, out)| attention_seq(qkv, out, start, len, h, heads));
}

#[inline(never)]
fn attention_seq(qkv: &[f32], out: &mut [f32], start: usize, len: usize, h: usize, heads: usize) {
    let d = h / heads;
    // Per head: K transposed (d × len) so that the scores of one query are `d` axpys over a
    // contiguous row (vectorises without horizontal sums), V as (len × d).
    let mut kt = vec![0f32; d * len];
    let mut v = vec![0f32; len * d];
    let mut p = vec![0f32; len];
    for hd in 0..heads {
        for j in 0..len {
            let row = &qkv[(start + j) * 3 * h..(start + j + 1) * 3 * h];
            let krow = &row[h + hd * d..h + (hd + 1) * d];
            for (c, &kv) in krow.iter().enumerate() {
                kt[c * len + j] = kv;
            }
            v[j * d..(j + 1) * d].copy_from_slice(&row[2 * h + hd * d..2 * h + (hd + 1) * d]);
        }
        for i in 0..len {
            let q = &qkv[(start + i) * 3 * h + hd * d..(start + i) * 3 * h + (hd + 1) * d];
            p.fill(0.0);
            for (c, &qc) in q.iter().enumerate() {
                for (pj, &kj) in p.iter_mut().zip(&kt[c * len..(c + 1) * len]) {
                    *pj = qc.mul_add(kj, *pj);
                }
            }
            let max = p.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
            for pj in p.iter_mut() {
                *pj = exp_fast(*pj - max);
            }
            let inv = 1.0 / p.iter().sum::<f32>();
            let o = &mut out[i * h + hd * d..i * h + (hd + 1) * d];
            o.fill(0.0);
            for (&pj, vrow) in p.iter().zip(v.chunks_exact(d)) {
                let w = pj * inv;
                for (oc, &vc) in o.iter_mut().zip(vrow) {
                    *oc = w.mul_add(vc, *oc);
                }
            }
        }
    }
}

/// `exp(x)` for `x <= 0`-ish inputs (softmax), relative error ~1e-7; vectorisable.
#[inline]
pub(crate) fn exp_fast(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + 0.5).floor();
    let r = n.mul_add(-LN2_LO, n.mul_add(-LN2_HI, x));
    // Taylor polynomial of degree 7 on |r| <= ln2/2.
    let mut p = 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^n via the exponent bits; n is integral and within [-126, 127] thanks to the clamp
    // (`to_int_unchecked` would be UB-free here too, but the cast below vectorises as is).
    let scale = f32::from_bits(((n + 127.0) as u32) << 23);
    p * scale
}

/// `erf(x)` in f32 (rational approximation used by Eigen/XLA; |err| < ~1e-7); vectorisable.
#[inline]
pub(crate) fn erf_fast(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142e-10_f32;
    p = x2.mul_add(p, 2.770_681_4e-8);
    p = x2.mul_add(p, -2.101_024e-6);
    p = x2.mul_add(p, -5.692_506_4e-5);
    p = x2.mul_add(p, -7.349_906_3e-4);
    p = x2.mul_add(p, -2.954_6e-3);
    p = x2.mul_add(p, -1.609_603_3e-2);
    p *= x;
    let mut q = -1.456_607_2e-5f32;
    q = x2.mul_add(q, -2.133_740_6e-4);
    q = x2.mul_add(q, -1.682_827e-3);
    q = x2.mul_add(q, -7.373_329e-3);
    q = x2.mul_add(q, -1.426_474e-2);
    p / q
}

/// Exact (erf-based) GELU, as `torch.nn.functional.gelu` / HF `"gelu"`.
#[inline(never)]
fn gelu_inplace(xs: &mut [f32]) {
    const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
    for v in xs.iter_mut() {
        let x = *v;
        *v = 0.5 * x * (1.0 + erf_fast(x * FRAC_1_SQRT_2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erf_ref(x: f64) -> f64 {
        if x.abs() > 3.0 {
            // Asymptotic series of erfc (accurate to ~1e-9 absolute beyond 3).
            let z = x.abs();
            let z2 = z * z;
            let s = 1.0 - 1.0 / (2.0 * z2) + 3.0 / (4.0 * z2 * z2) - 15.0 / (8.0 * z2 * z2 * z2)
                + 105.0 / (16.0 * z2 * z2 * z2 * z2);
            let erfc = (-z2).exp() / (z * std::f64::consts::PI.sqrt()) * s;
            return x.signum() * (1.0 - erfc);
        }
        // Maclaurin series; cancellation stays below 1e-12 for |x| <= 3.
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while n < 200.0 {
            n += 1.0;
            term *= -x * x / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_fast_is_accurate() {
        let mut worst = 0f64;
        let mut x = -6.0f64;
        while x <= 6.0 {
            let xf = x as f32;
            worst = worst.max((erf_fast(xf) as f64 - erf_ref(xf as f64)).abs());
            x += 0.001;
        }
        assert!(worst < 1e-6, "erf max abs error {worst}");
    }

    #[test]
    fn exp_fast_is_accurate() {
        let mut worst = 0f64;
        let mut x = -80.0f64;
        while x <= 10.0 {
            let xf = x as f32;
            let r = (xf as f64).exp();
            worst = worst.max(((exp_fast(xf) as f64) - r).abs() / r);
            x += 0.0007;
        }
        assert!(worst < 1e-6, "exp max rel error {worst}");
        assert!(exp_fast(-1e30) >= 0.0 && exp_fast(-1e30) < 1e-37);
    }

    #[test]
    fn matmul_acc_matches_naive() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut c = vec![1f32; m * n];
        matmul_acc(&mut c, &a, &b, m, k, n, Parallelism::None);
        for i in 0..m {
            for j in 0..n {
                let r: f32 = 1.0 + (0..k).map(|t| a[i * k + t] * b[t * n + j]).sum::<f32>();
                assert!((c[i * n + j] - r).abs() < 1e-5);
            }
        }
    }
}

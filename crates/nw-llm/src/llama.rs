//! Llama-family forward pass tuned for small models on CPU.
//!
//! Matmuls go through candle's quantized kernels; everything between them (RMSNorm, RoPE,
//! attention, SwiGLU) works on plain f32 slices with a preallocated KV cache, which avoids the
//! per-token tensor copies (`Tensor::cat` of the whole cache, `repeat_kv`, `contiguous`) that
//! dominate a 135M-parameter model. Weight rows may be zero-padded to a multiple of 256 (done by
//! the requantizer) so that candle's AVX512-VNNI repacked kernels apply; activations are padded
//! to match.

use crate::LlmError;
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use std::io::Cursor;
use std::sync::Arc;

/// Largest head size the attention kernel's stack accumulator holds.
const MAX_HEAD_DIM: usize = 256;

struct Layer {
    attn_norm: Vec<f32>,
    ffn_norm: Vec<f32>,
    wq: Arc<QTensor>,
    wk: Arc<QTensor>,
    wv: Arc<QTensor>,
    wo: Arc<QTensor>,
    w_gate: Arc<QTensor>,
    w_up: Arc<QTensor>,
    w_down: Arc<QTensor>,
    /// Keys transposed, `[kv_head][dim][pos]` with row stride `kv_cap`, so that the scores of
    /// one query against all positions are contiguous vector FMAs (no horizontal sums).
    k_cache: Vec<f32>,
    /// Values, `[pos][kv_head][dim]`.
    v_cache: Vec<f32>,
}

pub(crate) struct Llama {
    embed: Arc<QTensor>,
    output: Arc<QTensor>,
    norm: Vec<f32>,
    layers: Vec<Layer>,
    /// Model width, and the (possibly padded) input width the weights expect.
    hidden: usize,
    hidden_in: usize,
    /// Attention output width (n_head * head_dim), and its padded input width for `wo`.
    attn_in: usize,
    ffn: usize,
    ffn_in: usize,
    n_head: usize,
    n_kv: usize,
    head_dim: usize,
    rope_dim: usize,
    eps: f32,
    rope_base: f32,
    rope_cos: Vec<f32>,
    rope_sin: Vec<f32>,
    max_pos: usize,
    /// Positions held in the KV cache, and positions allocated.
    cache_len: usize,
    kv_cap: usize,
}

fn md_u32(ct: &Content, key: &str) -> Result<usize, LlmError> {
    crate::tokenizer::meta_u32(ct, key)
        .map(|v| v as usize)
        .ok_or_else(|| LlmError::Metadata(format!("missing or invalid `{key}`")))
}

fn md_f32(ct: &Content, key: &str) -> Option<f32> {
    ct.metadata.get(key).and_then(|v| v.to_f32().ok())
}

fn vec_f32(t: &QTensor, len: usize, name: &str) -> Result<Vec<f32>, LlmError> {
    let v = t
        .dequantize(&Device::Cpu)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    if v.len() != len {
        return Err(LlmError::Metadata(format!(
            "tensor {name} has {} elements, expected {len}",
            v.len()
        )));
    }
    Ok(v)
}

/// Input width (last dim) of a 2-D weight with `rows` outputs, checked to be >= `min_k`.
fn check_w(t: &QTensor, rows: usize, min_k: usize, name: &str) -> Result<usize, LlmError> {
    match t.shape().dims() {
        [n, k] if *n == rows && *k >= min_k => Ok(*k),
        d => Err(LlmError::Metadata(format!(
            "tensor {name} has shape {d:?}, expected [{rows}, >={min_k}]"
        ))),
    }
}

impl Llama {
    pub(crate) fn from_gguf(ct: &Content, bytes: &[u8]) -> Result<Self, LlmError> {
        let dev = Device::Cpu;
        let mut r = Cursor::new(bytes);
        let mut get =
            |name: &str| -> Result<QTensor, LlmError> { Ok(ct.tensor(&mut r, name, &dev)?) };
        let n_head = md_u32(ct, "llama.attention.head_count")?;
        let n_kv = md_u32(ct, "llama.attention.head_count_kv")?;
        let n_layer = md_u32(ct, "llama.block_count")?;
        let hidden = md_u32(ct, "llama.embedding_length")?;
        let ffn = md_u32(ct, "llama.feed_forward_length")?;
        if n_head == 0 || n_kv == 0 || n_head % n_kv != 0 || hidden % n_head != 0 {
            return Err(LlmError::Metadata(format!(
                "inconsistent head counts: {n_head} heads, {n_kv} kv heads, width {hidden}"
            )));
        }
        let head_dim = hidden / n_head;
        if head_dim > MAX_HEAD_DIM {
            return Err(LlmError::Metadata(format!(
                "head dimension {head_dim} exceeds the supported {MAX_HEAD_DIM}"
            )));
        }
        let rope_dim = crate::tokenizer::meta_u32(ct, "llama.rope.dimension_count")
            .map(|v| v as usize)
            .unwrap_or(head_dim)
            .min(head_dim)
            & !1;
        let eps = md_f32(ct, "llama.attention.layer_norm_rms_epsilon").unwrap_or(1e-5);
        let rope_base = md_f32(ct, "llama.rope.freq_base").unwrap_or(10000.0);
        let max_pos = crate::tokenizer::meta_u32(ct, "llama.context_length")
            .map(|v| v as usize)
            .unwrap_or(2048)
            .clamp(1, 1 << 16);

        let embed = get("token_embd.weight")?;
        let vocab = embed.shape().dims().first().copied().unwrap_or(0);
        let hidden_in = check_w(&embed, vocab, hidden, "token_embd.weight")?;
        let embed = Arc::new(embed);
        let output = match get("output.weight") {
            Ok(t) => {
                check_w(&t, vocab, hidden, "output.weight")?;
                Arc::new(t)
            }
            // Tied embeddings (SmolLM2 has no output.weight).
            Err(_) => embed.clone(),
        };
        let norm = vec_f32(&get("output_norm.weight")?, hidden, "output_norm.weight")?;
        let attn_dim = n_head * head_dim;
        let kv_dim = n_kv * head_dim;
        let mut layers = Vec::with_capacity(n_layer);
        let (mut attn_in, mut ffn_in) = (attn_dim, ffn);
        for i in 0..n_layer {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let wq = get(&p("attn_q"))?;
            let wk = get(&p("attn_k"))?;
            let wv = get(&p("attn_v"))?;
            let wo = get(&p("attn_output"))?;
            let w_gate = get(&p("ffn_gate"))?;
            let w_up = get(&p("ffn_up"))?;
            let w_down = get(&p("ffn_down"))?;
            for (t, rows, n) in [(&wq, attn_dim, "attn_q"), (&wk, kv_dim, "attn_k")] {
                if check_w(t, rows, hidden, n)? != hidden_in {
                    return Err(LlmError::Metadata(format!(
                        "blk.{i}.{n}: padded width mismatch"
                    )));
                }
            }
            for (t, rows, n) in [
                (&wv, kv_dim, "attn_v"),
                (&w_gate, ffn, "ffn_gate"),
                (&w_up, ffn, "ffn_up"),
            ] {
                if check_w(t, rows, hidden, n)? != hidden_in {
                    return Err(LlmError::Metadata(format!(
                        "blk.{i}.{n}: padded width mismatch"
                    )));
                }
            }
            attn_in = check_w(&wo, hidden, attn_dim, "attn_output")?;
            ffn_in = check_w(&w_down, hidden, ffn, "ffn_down")?;
            layers.push(Layer {
                attn_norm: vec_f32(&get(&p("attn_norm"))?, hidden, "attn_norm")?,
                ffn_norm: vec_f32(&get(&p("ffn_norm"))?, hidden, "ffn_norm")?,
                wq: Arc::new(wq),
                wk: Arc::new(wk),
                wv: Arc::new(wv),
                wo: Arc::new(wo),
                w_gate: Arc::new(w_gate),
                w_up: Arc::new(w_up),
                w_down: Arc::new(w_down),
                k_cache: Vec::new(),
                v_cache: Vec::new(),
            });
        }
        Ok(Llama {
            embed,
            output,
            norm,
            layers,
            hidden,
            hidden_in,
            attn_in,
            ffn,
            ffn_in,
            n_head,
            n_kv,
            head_dim,
            rope_dim,
            eps,
            rope_base,
            rope_cos: Vec::new(),
            rope_sin: Vec::new(),
            max_pos,
            cache_len: 0,
            kv_cap: 0,
        })
    }

    /// Make sure RoPE tables and KV caches cover `n` positions.
    fn reserve(&mut self, n: usize) {
        let half = self.rope_dim / 2;
        let have = self.rope_cos.len() / half.max(1);
        if half > 0 && have < n {
            for pos in have..n {
                for i in 0..half {
                    let theta = self
                        .rope_base
                        .powf(-((2 * i) as f32) / self.rope_dim as f32);
                    let a = pos as f32 * theta;
                    self.rope_cos.push(a.cos());
                    self.rope_sin.push(a.sin());
                }
            }
        }
        let kvd = self.n_kv * self.head_dim;
        if self.kv_cap < n {
            let old = self.kv_cap;
            for l in &mut self.layers {
                // Re-lay the transposed keys out with the new row stride.
                let mut k = vec![0f32; kvd * n];
                for (r, row) in l.k_cache.chunks_exact(old.max(1)).enumerate().take(kvd) {
                    k[r * n..r * n + old].copy_from_slice(&row[..old]);
                }
                l.k_cache = k;
                l.v_cache.resize(n * kvd, 0.0);
            }
            self.kv_cap = n;
        }
    }

    /// Logits of the last position. `index_pos == 0` restarts the KV cache.
    pub(crate) fn forward(
        &mut self,
        tokens: &[u32],
        index_pos: usize,
    ) -> Result<Vec<f32>, LlmError> {
        self.forward_rows(tokens, index_pos, 1)
    }

    /// Forget the cache past `len` positions, so a shared prefix can be reused.
    pub(crate) fn truncate_cache(&mut self, len: usize) {
        self.cache_len = self.cache_len.min(len);
    }

    /// Logits of the last `rows` positions, row after row (for scoring a continuation).
    pub(crate) fn forward_rows(
        &mut self,
        tokens: &[u32],
        index_pos: usize,
        rows: usize,
    ) -> Result<Vec<f32>, LlmError> {
        let m = tokens.len();
        if m == 0 {
            return Err(LlmError::EmptyPrompt);
        }
        if index_pos != self.cache_len && index_pos != 0 {
            return Err(LlmError::Internal(format!(
                "position {index_pos} does not follow the cache ({} positions)",
                self.cache_len
            )));
        }
        let end = index_pos + m;
        if end > self.max_pos {
            return Err(LlmError::ContextOverflow {
                prompt: end,
                max_new: 0,
                ctx: self.max_pos,
            });
        }
        // Grow in steps so decode does not reallocate every token.
        self.reserve(end.next_multiple_of(256).min(self.max_pos).max(end));
        let dev = Device::Cpu;
        let (h, hin) = (self.hidden, self.hidden_in);

        let ids = Tensor::new(tokens, &dev)?;
        let emb = self
            .embed
            .embedding(&ids)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        // Residual stream, m x h.
        let mut x = vec![0f32; m * h];
        for i in 0..m {
            x[i * h..(i + 1) * h].copy_from_slice(&emb[i * hin..i * hin + h]);
        }
        let mut xn = vec![0f32; m * hin];
        let mut att = vec![0f32; m * self.attn_in];
        let mut act = vec![0f32; m * self.ffn_in];
        let (hd, nh, nkv) = (self.head_dim, self.n_head, self.n_kv);
        let kvd = nkv * hd;
        for li in 0..self.layers.len() {
            let l = &self.layers[li];
            rms_norm_rows(&x, h, &l.attn_norm, self.eps, &mut xn, hin);
            let xt = Tensor::from_slice(&xn, (m, hin), &dev)?;
            let [q, k, v] = fused3(&[&l.wq, &l.wk, &l.wv], &xt)?;
            let mut q = q.flatten_all()?.to_vec1::<f32>()?;
            let mut k = k.flatten_all()?.to_vec1::<f32>()?;
            let v = v.flatten_all()?.to_vec1::<f32>()?;
            for i in 0..m {
                let pos = index_pos + i;
                self.rope(&mut q[i * nh * hd..(i + 1) * nh * hd], pos);
                self.rope(&mut k[i * kvd..(i + 1) * kvd], pos);
            }
            let l = &mut self.layers[li];
            let cap = self.kv_cap;
            for (i, krow) in k.chunks_exact(kvd).enumerate() {
                for (r, &kv) in krow.iter().enumerate() {
                    l.k_cache[r * cap + index_pos + i] = kv;
                }
            }
            l.v_cache[index_pos * kvd..end * kvd].copy_from_slice(&v);
            attention(
                &q,
                &l.k_cache,
                cap,
                &l.v_cache[..end * kvd],
                m,
                index_pos,
                nh,
                nkv,
                hd,
                &mut att,
                self.attn_in,
            );
            let l = &self.layers[li];
            let o = matmul(&l.wo, &att, m, self.attn_in)?;
            add_rows(&mut x, &o);

            rms_norm_rows(&x, h, &l.ffn_norm, self.eps, &mut xn, hin);
            let xt = Tensor::from_slice(&xn, (m, hin), &dev)?;
            let [g, u] = fused2(&[&l.w_gate, &l.w_up], &xt)?;
            let g = g.flatten_all()?.to_vec1::<f32>()?;
            let u = u.flatten_all()?.to_vec1::<f32>()?;
            swiglu(&g, &u, self.ffn, &mut act, self.ffn_in);
            let d = matmul(&l.w_down, &act, m, self.ffn_in)?;
            add_rows(&mut x, &d);
        }
        self.cache_len = end;
        // Only the last `rows` positions' logits are needed (one when generating).
        let rows = rows.clamp(1, m);
        let last = &x[(m - rows) * h..m * h];
        let mut xl = vec![0f32; rows * hin];
        rms_norm_rows(last, h, &self.norm, self.eps, &mut xl, hin);
        matmul(&self.output, &xl, rows, hin)
    }

    /// Interleaved RoPE (pairs 2i, 2i+1), the layout of llama GGUF files.
    fn rope(&self, x: &mut [f32], pos: usize) {
        let half = self.rope_dim / 2;
        let cos = &self.rope_cos[pos * half..(pos + 1) * half];
        let sin = &self.rope_sin[pos * half..(pos + 1) * half];
        for head in x.chunks_exact_mut(self.head_dim) {
            for i in 0..half {
                let (a, b) = (head[2 * i], head[2 * i + 1]);
                head[2 * i] = a * cos[i] - b * sin[i];
                head[2 * i + 1] = a * sin[i] + b * cos[i];
            }
        }
    }
}

fn fused3(ws: &[&Arc<QTensor>; 3], x: &Tensor) -> Result<[Tensor; 3], LlmError> {
    let refs: Vec<&QTensor> = ws.iter().map(|w| w.as_ref()).collect();
    if let Some(mut v) = QTensor::gemv_fused_shared_lhs(&refs, x)? {
        if v.len() == 3 {
            let c = v.pop();
            let b = v.pop();
            let a = v.pop();
            if let (Some(a), Some(b), Some(c)) = (a, b, c) {
                return Ok([a, b, c]);
            }
        }
    }
    Ok([mm_t(ws[0], x)?, mm_t(ws[1], x)?, mm_t(ws[2], x)?])
}

fn fused2(ws: &[&Arc<QTensor>; 2], x: &Tensor) -> Result<[Tensor; 2], LlmError> {
    let refs: Vec<&QTensor> = ws.iter().map(|w| w.as_ref()).collect();
    if let Some(mut v) = QTensor::gemv_fused_shared_lhs(&refs, x)? {
        if v.len() == 2 {
            let b = v.pop();
            let a = v.pop();
            if let (Some(a), Some(b)) = (a, b) {
                return Ok([a, b]);
            }
        }
    }
    Ok([mm_t(ws[0], x)?, mm_t(ws[1], x)?])
}

fn mm_t(w: &Arc<QTensor>, x: &Tensor) -> Result<Tensor, LlmError> {
    Ok(QMatMul::from_arc(w.clone())?.forward(x)?)
}

fn matmul(w: &Arc<QTensor>, x: &[f32], m: usize, k: usize) -> Result<Vec<f32>, LlmError> {
    let xt = Tensor::from_slice(x, (m, k), &Device::Cpu)?;
    Ok(mm_t(w, &xt)?.flatten_all()?.to_vec1::<f32>()?)
}

fn add_rows(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// RMSNorm each row of `x` (width `h`) into `out` rows of width `w_out` (>= h, tail zero).
fn rms_norm_rows(x: &[f32], h: usize, w: &[f32], eps: f32, out: &mut [f32], w_out: usize) {
    for (row, orow) in x.chunks_exact(h).zip(out.chunks_exact_mut(w_out)) {
        let ss = dot(row, row);
        let scale = 1.0 / (ss / h as f32 + eps).sqrt();
        for ((o, &a), &g) in orow.iter_mut().zip(row).zip(w) {
            *o = a * scale * g;
        }
        for o in &mut orow[h..] {
            *o = 0.0;
        }
    }
}

/// silu(gate) * up, rows of width `f` into rows of width `w_out` (tail zero).
fn swiglu(g: &[f32], u: &[f32], f: usize, out: &mut [f32], w_out: usize) {
    for ((gr, ur), orow) in g
        .chunks_exact(f)
        .zip(u.chunks_exact(f))
        .zip(out.chunks_exact_mut(w_out))
    {
        for ((o, &a), &b) in orow.iter_mut().zip(gr).zip(ur) {
            *o = a / (1.0 + (-a).exp()) * b;
        }
        for o in &mut orow[f..] {
            *o = 0.0;
        }
    }
}

/// Dot product with independent lanes so LLVM vectorizes it (f32 adds are not reassociated).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const L: usize = 16;
    let mut acc = [0f32; L];
    let ca = a.chunks_exact(L);
    let cb = b.chunks_exact(L);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..L {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Causal grouped-query attention for `m` new rows starting at `pos0`. Keys are transposed
/// (`[kv_head][dim][pos]`, stride `cap`), values `[pos][kv_head][dim]`. Writes rows of width
/// `w_out` (tail zero) into `out`. Work is split over the candle thread pool by (row, head).
#[allow(clippy::too_many_arguments)]
fn attention(
    q: &[f32],
    kt: &[f32],
    cap: usize,
    vc: &[f32],
    m: usize,
    pos0: usize,
    nh: usize,
    nkv: usize,
    hd: usize,
    out: &mut [f32],
    w_out: usize,
) {
    let group = nh / nkv;
    let kvd = nkv * hd;
    let scale = 1.0 / (hd as f32).sqrt();
    for row in out.chunks_exact_mut(w_out) {
        for o in &mut row[nh * hd..] {
            *o = 0.0;
        }
    }
    let out_ptr = out.as_mut_ptr() as usize;
    let work = |unit: usize| {
        let (i, head) = (unit / nh, unit % nh);
        let g = head / group;
        let n = pos0 + i + 1;
        let qv = &q[(i * nh + head) * hd..(i * nh + head + 1) * hd];
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            s.clear();
            s.resize(n, 0.0);
            let kg = &kt[g * hd * cap..(g + 1) * hd * cap];
            for (d, &qd) in qv.iter().enumerate() {
                let krow = &kg[d * cap..d * cap + n];
                let qd = qd * scale;
                for (sc, &kk) in s.iter_mut().zip(krow) {
                    *sc += qd * kk;
                }
            }
            let mx = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0f32;
            for x in s.iter_mut() {
                *x = (*x - mx).exp();
                sum += *x;
            }
            let inv = 1.0 / sum;
            let mut acc = [0f32; MAX_HEAD_DIM];
            let acc = &mut acc[..hd.min(MAX_HEAD_DIM)];
            for (j, &w) in s.iter().enumerate() {
                let vv = &vc[j * kvd + g * hd..j * kvd + g * hd + acc.len()];
                for (a, &b) in acc.iter_mut().zip(vv) {
                    *a += w * b;
                }
            }
            // SAFETY: each (row, head) unit writes its own disjoint hd-wide slice of `out`.
            let dst = unsafe {
                std::slice::from_raw_parts_mut(
                    (out_ptr as *mut f32).add(i * w_out + head * hd),
                    acc.len(),
                )
            };
            for (d, a) in dst.iter_mut().zip(acc.iter()) {
                *d = a * inv;
            }
        });
    };
    let units = m * nh;
    let pool = candle_core::utils::barrier_pool();
    pool.execute_chunked(units, |range| {
        for u in range {
            work(u)
        }
    });
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

//! nw-llm: a small GGUF chat-model runtime on candle.
//!
//! Loads a quantized GGUF model (llama, qwen2, gemma3), builds its tokenizer and chat template
//! from the file's metadata, and generates text with a KV cache. Tensor types that candle runs
//! without SIMD kernels (Q4_1, ...) are requantized once at load and cached in the user cache directory.

mod error;
mod llama;
mod model;
mod requant;
mod sampling;
mod template;
mod tokenizer;

pub mod bench;

pub use bench::{bench, BenchReport};
pub use error::LlmError;
pub use tokenizer::tokenizer_from_gguf;

use candle_core::quantized::gguf_file::Content;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How to load a model.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Compute threads; `None` keeps candle's default (physical cores, or
    /// `CANDLE_NUM_THREADS` / `RAYON_NUM_THREADS`). See [`set_threads`] for the caveat.
    pub threads: Option<usize>,
    /// Where the requantized copy of the model is cached. Default: the model's directory when
    /// writable, else the OS cache directory.
    pub cache_dir: Option<PathBuf>,
    /// Known sha256 (hex) of the model file; saves hashing it to find the cache entry.
    pub source_sha256: Option<String>,
}

/// One chat turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }
    pub fn system(content: impl Into<String>) -> Self {
        Self::new("system", content)
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new("assistant", content)
    }
}

/// Decoding settings. The default is greedy decoding of up to 256 tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    pub max_new_tokens: usize,
    /// 0 (or below 1e-7) = greedy.
    pub temperature: f64,
    /// Nucleus sampling threshold; `None` or >= 1 disables it.
    pub top_p: Option<f64>,
    /// 1.0 disables the penalty.
    pub repeat_penalty: f32,
    /// How many recent tokens (prompt included) the repeat penalty looks at.
    pub repeat_last_n: usize,
    pub seed: u64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            max_new_tokens: 256,
            temperature: 0.0,
            top_p: None,
            repeat_penalty: 1.0,
            repeat_last_n: 64,
            seed: 42,
        }
    }
}

/// Result of one generation.
#[derive(Debug, Clone)]
pub struct Generation {
    pub text: String,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    /// Time to process the prompt (one batched forward pass).
    pub prefill: Duration,
    /// Time spent producing the generated tokens.
    pub decode: Duration,
    /// True when generation ended on an end-of-turn / end-of-sequence token.
    pub stopped_on_eos: bool,
}

/// Per-token log-probabilities of a scored text.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub logprobs: Vec<f32>,
}

impl Score {
    /// Mean log-probability per token: higher reads more naturally to the model.
    pub fn mean(&self) -> f32 {
        if self.logprobs.is_empty() {
            return f32::NEG_INFINITY;
        }
        self.logprobs.iter().sum::<f32>() / self.logprobs.len() as f32
    }
}

/// A loaded chat model with its tokenizer and chat template.
pub struct ChatModel {
    weights: model::Weights,
    /// The prefix whose cache the last `score` left behind.
    scored_prefix: Option<Vec<u32>>,
    /// Each token's text, for guarded generation (filled on first use).
    pieces: Vec<String>,
    tokenizer: tokenizers::Tokenizer,
    template: Option<template::ChatTemplate>,
    arch: String,
    name: String,
    stop_ids: BTreeSet<u32>,
    bos_id: Option<u32>,
    add_bos: bool,
    context_length: usize,
    load_info: LoadInfo,
}

impl std::fmt::Debug for ChatModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatModel")
            .field("arch", &self.arch)
            .field("name", &self.name)
            .field("load_info", &self.load_info)
            .finish_non_exhaustive()
    }
}

/// What happened during [`ChatModel::load`].
#[derive(Debug, Clone, Default)]
pub struct LoadInfo {
    /// Total load time.
    pub elapsed: Duration,
    /// The requantized cache file used or written, if the model needed one.
    pub cache_path: Option<PathBuf>,
    /// True when the cache already existed (warm load).
    pub cache_hit: bool,
    /// Why the cache could not be written, if it could not (the model still loads).
    pub cache_warning: Option<String>,
}

/// Set the number of compute threads.
///
/// candle reads `CANDLE_NUM_THREADS` / `RAYON_NUM_THREADS` once, when its thread pools first
/// start (the first tensor operation). This sets both variables, so it only takes effect when
/// called before any model is loaded or any candle operation runs; later calls are ignored by
/// candle. Setting environment variables is not synchronized with other threads reading them,
/// so call this early, from the main thread (e.g. right after parsing arguments).
pub fn set_threads(n: usize) {
    let n = n.max(1).to_string();
    std::env::set_var("CANDLE_NUM_THREADS", &n);
    std::env::set_var("RAYON_NUM_THREADS", &n);
}

/// Threads candle will use (or uses): the env override or the number of physical cores.
pub fn effective_threads() -> usize {
    candle_core::utils::get_num_threads()
}

fn meta_string(ct: &Content, key: &str) -> Option<String> {
    tokenizer::meta_str(ct, key).map(str::to_string)
}

/// What a GGUF file's metadata says, read without its tensors.
struct Header {
    arch: String,
    name: Option<String>,
    tokenizer: tokenizers::Tokenizer,
    template: Option<template::ChatTemplate>,
    stop_ids: BTreeSet<u32>,
    bos_id: Option<u32>,
    add_bos: bool,
    context_length: usize,
}

/// The part of loading that reads untrusted metadata: architecture, tokenizer, chat template,
/// special tokens.
fn read_header(ct: &Content) -> Result<Header, LlmError> {
    let arch = meta_string(ct, "general.architecture")
        .ok_or_else(|| LlmError::Metadata("missing key `general.architecture`".into()))?;
    if !model::SUPPORTED.contains(&arch.as_str()) {
        return Err(LlmError::UnsupportedArchitecture(arch));
    }
    let name = meta_string(ct, "general.name").filter(|s| !s.trim().is_empty());

    let tokenizer = tokenizer_from_gguf(ct)?;
    let tok_str = |key: &str| tokenizer::meta_u32(ct, key).and_then(|id| tokenizer.id_to_token(id));
    let bos_token = tok_str("tokenizer.ggml.bos_token_id").unwrap_or_default();
    let eos_token = tok_str("tokenizer.ggml.eos_token_id").unwrap_or_default();
    let template = match meta_string(ct, "tokenizer.chat_template") {
        Some(src) => Some(template::ChatTemplate::new(&src, bos_token, eos_token)?),
        None => None,
    };
    let mut stop_ids = BTreeSet::new();
    for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"] {
        if let Some(id) = tokenizer::meta_u32(ct, key) {
            stop_ids.insert(id);
        }
    }
    // End-of-turn markers of common chat formats, when the vocabulary has them as
    // special tokens: a chat model ends its turn with these rather than with eos.
    for s in ["<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|endoftext|>"] {
        if let Some(id) = tokenizer.token_to_id(s) {
            stop_ids.insert(id);
        }
    }
    let bos_id = tokenizer::meta_u32(ct, "tokenizer.ggml.bos_token_id");
    let add_bos = matches!(
        ct.metadata.get("tokenizer.ggml.add_bos_token"),
        Some(candle_core::quantized::gguf_file::Value::Bool(true))
    );
    let context_length = tokenizer::meta_u32(ct, &format!("{arch}.context_length"))
        .map(|c| c as usize)
        .unwrap_or(2048)
        // candle's llama precomputes RoPE tables for 4096 positions only.
        .min(4096);

    Ok(Header {
        arch,
        name,
        tokenizer,
        template,
        stop_ids,
        bos_id,
        add_bos,
        context_length,
    })
}

/// Check a GGUF file's bytes as [`ChatModel::load`] does before it builds any tensor: the
/// header, every tensor inside the file, a supported architecture, a tokenizer and a chat
/// template that parse. Returns the architecture. For fuzzing the parser on its own.
pub fn inspect(bytes: &[u8]) -> Result<String, LlmError> {
    let ct = requant::read_content(bytes, Path::new("<bytes>"))?;
    Ok(read_header(&ct)?.arch)
}

impl ChatModel {
    /// Load a GGUF model file.
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<ChatModel, LlmError> {
        let t0 = Instant::now();
        if let Some(n) = opts.threads {
            set_threads(n);
        }
        if !path.exists() {
            return Err(LlmError::NotFound(path.to_path_buf()));
        }
        let src = requant::map_file(path)?;
        let ct = requant::read_content(&src, path)?;
        let Header {
            arch,
            name,
            tokenizer,
            template,
            stop_ids,
            bos_id,
            add_bos,
            context_length,
        } = read_header(&ct)?;
        let name = name
            .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "model".into());

        let mut info = LoadInfo::default();
        let plan = requant::requant_target().map(|target| requant::Plan {
            target,
            pad: arch == "llama" && !model::use_candle_llama(),
        });
        let weights = if let Some(plan) = plan.filter(|p| requant::needs_requant(&ct, p)) {
            let sha = match &opts.source_sha256 {
                Some(s) => s.to_lowercase(),
                None => requant::sha256_hex(&src),
            };
            let dir = opts
                .cache_dir
                .clone()
                .unwrap_or_else(|| requant::default_cache_dir(path));
            let cpath = requant::cache_path(&dir, path, &sha, &plan);
            info.cache_path = Some(cpath.clone());
            let stamp = requant::source_stamp(path);
            let cached = if cpath.exists() {
                requant::map_file(&cpath).ok().and_then(|b| {
                    let c = requant::read_content(&b, &cpath).ok()?;
                    requant::cache_matches(&c, &sha, &stamp, &plan).then_some((c, b))
                })
            } else {
                None
            };
            // Before building a cache keyed by a claimed sha256, check the file really has it:
            // a cache built from a corrupt file would outlive the corruption.
            if cached.is_none() && opts.source_sha256.is_some() {
                let actual = requant::sha256_hex(&src);
                if actual != sha {
                    return Err(LlmError::InvalidGguf {
                        path: path.to_path_buf(),
                        reason: format!(
                            "its sha256 is {actual}, not the expected {sha} (changed or corrupt; re-import it)"
                        ),
                    });
                }
            }
            let (cct, cbytes) = match cached {
                Some(x) => {
                    info.cache_hit = true;
                    x
                }
                None => {
                    let data = requant::requantize(&ct, &src, &sha, &stamp, &plan)?;
                    if let Err(e) = requant::write_atomic(&cpath, &data) {
                        info.cache_warning = Some(e.to_string());
                    }
                    let data = requant::Bytes::Owned(data);
                    let c = requant::read_content(&data, &cpath)?;
                    (c, data)
                }
            };
            drop(ct);
            model::Weights::load(&arch, cct, &cbytes)?
        } else {
            model::Weights::load(&arch, ct, &src)?
        };
        info.elapsed = t0.elapsed();
        Ok(ChatModel {
            weights,
            scored_prefix: None,
            pieces: Vec::new(),
            tokenizer,
            template,
            arch,
            name,
            stop_ids,
            bos_id,
            add_bos,
            context_length,
            load_info: info,
        })
    }

    /// `general.architecture`, e.g. `llama`.
    pub fn architecture(&self) -> &str {
        &self.arch
    }

    /// `general.name`, or the file stem when the file has none.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tokenizer(&self) -> &tokenizers::Tokenizer {
        &self.tokenizer
    }

    /// Details of the load (time, cache file).
    pub fn load_info(&self) -> &LoadInfo {
        &self.load_info
    }

    /// Maximum prompt + generated tokens.
    pub fn context_length(&self) -> usize {
        self.context_length
    }

    /// Token ids that end generation.
    pub fn stop_token_ids(&self) -> Vec<u32> {
        self.stop_ids.iter().copied().collect()
    }

    /// Render a conversation with the model's chat template.
    pub fn render_chat(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, LlmError> {
        match &self.template {
            Some(t) => t.render(messages, add_generation_prompt),
            None => Err(LlmError::Template(
                "the model file has no tokenizer.chat_template".into(),
            )),
        }
    }

    /// Token ids of `text`, special tokens such as `<|im_start|>` included, plus BOS when
    /// the model asks for it.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, LlmError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| LlmError::Tokenizer(e.to_string()))?;
        let mut ids = enc.get_ids().to_vec();
        if let (true, Some(bos)) = (self.add_bos, self.bos_id) {
            if ids.first() != Some(&bos) {
                ids.insert(0, bos);
            }
        }
        Ok(ids)
    }

    /// Continue `prompt` (raw text, already templated if needed). Each call starts with a
    /// fresh KV cache.
    pub fn generate(
        &mut self,
        prompt: &str,
        params: &SamplingParams,
    ) -> Result<Generation, LlmError> {
        self.generate_text(prompt, params, None)
    }

    /// Encode, generate (under `allows`, if any) and decode.
    fn generate_text(
        &mut self,
        prompt: &str,
        params: &SamplingParams,
        allows: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Generation, LlmError> {
        let ids = self.encode(prompt)?;
        let (generated, g) = self.generate_ids(&ids, params, false, allows)?;
        let text = self
            .tokenizer
            .decode(&generated, true)
            .map_err(|e| LlmError::Tokenizer(e.to_string()))?;
        Ok(Generation { text, ..g })
    }

    /// How natural `continuation` reads after `prefix` (raw text) to the model: the
    /// log-probability of each of its tokens. Prefill only, no sampling. Consecutive calls with
    /// the same prefix reuse its cache.
    pub fn score(&mut self, prefix: &str, continuation: &str) -> Result<Score, LlmError> {
        let prefix_ids = self.encode(prefix)?;
        let continuation_ids = self
            .tokenizer
            .encode(continuation, false)
            .map_err(|e| LlmError::Tokenizer(e.to_string()))?
            .get_ids()
            .to_vec();
        if prefix_ids.len() + continuation_ids.len() > self.context_length {
            return Err(LlmError::ContextOverflow {
                prompt: prefix_ids.len() + continuation_ids.len(),
                max_new: 0,
                ctx: self.context_length,
            });
        }
        let reuse = self.scored_prefix.as_deref() == Some(prefix_ids.as_slice());
        let logprobs = self.weights.score(&prefix_ids, &continuation_ids, reuse)?;
        self.scored_prefix = Some(prefix_ids);
        Ok(Score { logprobs })
    }

    /// [`ChatModel::generate`] under a guard: at each step only tokens for which
    /// `allows(text so far + token)` holds may be chosen (among the 64 most likely; end-of-turn
    /// is always allowed), so the text can never contain what the guard refuses. The runtime
    /// knows nothing of what the guard checks.
    pub fn generate_guarded(
        &mut self,
        prompt: &str,
        params: &SamplingParams,
        allows: &dyn Fn(&str) -> bool,
    ) -> Result<Generation, LlmError> {
        if self.pieces.is_empty() {
            let vocab = self.tokenizer.get_vocab_size(true) as u32;
            self.pieces = (0..vocab)
                .map(|id| self.tokenizer.decode(&[id], false).unwrap_or_default())
                .collect();
        }
        self.generate_text(prompt, params, Some(allows))
    }

    /// Render `messages` with the chat template (adding the assistant prompt) and generate
    /// the assistant's reply.
    pub fn chat(
        &mut self,
        messages: &[ChatMessage],
        params: &SamplingParams,
    ) -> Result<Generation, LlmError> {
        let prompt = self.render_chat(messages, true)?;
        self.generate(&prompt, params)
    }

    /// The most likely tokens (up to 64) that the guard accepts after `text`; stop tokens
    /// always pass.
    fn allowed_tokens(
        &self,
        logits: &[f32],
        text: &str,
        allows: &dyn Fn(&str) -> bool,
    ) -> Vec<u32> {
        const CONSIDERED: usize = 64;
        let mut order: Vec<u32> = (0..logits.len() as u32).collect();
        let k = CONSIDERED.min(order.len());
        order.select_nth_unstable_by(k - 1, |&a, &b| {
            logits[b as usize].total_cmp(&logits[a as usize])
        });
        order.truncate(k);
        let mut candidate = String::with_capacity(text.len() + 16);
        order
            .into_iter()
            .filter(|&id| {
                if self.stop_ids.contains(&id) {
                    return true;
                }
                let Some(piece) = self.pieces.get(id as usize) else {
                    return false;
                };
                candidate.clear();
                candidate.push_str(text);
                candidate.push_str(piece);
                allows(&candidate)
            })
            .collect()
    }

    /// Core loop over token ids; returns the generated ids (stop token excluded).
    pub(crate) fn generate_ids(
        &mut self,
        prompt: &[u32],
        params: &SamplingParams,
        ignore_eos: bool,
        allows: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<(Vec<u32>, Generation), LlmError> {
        if prompt.is_empty() {
            return Err(LlmError::EmptyPrompt);
        }
        if prompt.len() + params.max_new_tokens > self.context_length {
            return Err(LlmError::ContextOverflow {
                prompt: prompt.len(),
                max_new: params.max_new_tokens,
                ctx: self.context_length,
            });
        }
        self.scored_prefix = None;
        let mut sampler = sampling::Sampler::new(params);
        let mut context: Vec<u32> = prompt.to_vec();
        let t0 = Instant::now();
        let mut logits = if params.max_new_tokens > 0 {
            self.weights.forward(prompt, 0)?
        } else {
            Vec::new()
        };
        let prefill = t0.elapsed();
        let t1 = Instant::now();
        let mut generated = Vec::new();
        let mut stopped_on_eos = false;
        let mut text = String::new();
        while generated.len() < params.max_new_tokens {
            let next = match allows {
                None => sampler.sample(&mut logits, &context)?,
                Some(allows) => {
                    let allowed = self.allowed_tokens(&logits, &text, allows);
                    if allowed.is_empty() {
                        // Nothing acceptable can follow: end the text here.
                        stopped_on_eos = true;
                        break;
                    }
                    let mut masked = vec![f32::NEG_INFINITY; logits.len()];
                    for &id in &allowed {
                        masked[id as usize] = logits[id as usize];
                    }
                    sampler.sample(&mut masked, &context)?
                }
            };
            if allows.is_some() {
                if let Some(piece) = self.pieces.get(next as usize) {
                    text.push_str(piece);
                }
            }
            if !ignore_eos && self.stop_ids.contains(&next) {
                stopped_on_eos = true;
                break;
            }
            generated.push(next);
            context.push(next);
            if generated.len() == params.max_new_tokens {
                break;
            }
            logits = self.weights.forward(&[next], context.len() - 1)?;
        }
        let decode = t1.elapsed();
        let g = Generation {
            text: String::new(),
            prompt_tokens: prompt.len(),
            generated_tokens: generated.len(),
            prefill,
            decode,
            stopped_on_eos,
        };
        Ok((generated, g))
    }
}

//! The bridge between drafting and the model runtime: finds the generation model (an explicit
//! `--model PATH`, else the model store), loads it with `nw-llm`, and implements
//! [`crate::draft::Rewriter`] over it. Etiquette stays in `draft`; tensors stay in `nw-llm`.

use crate::draft::{Candidate, RewriteRequest, Rewriter};
use crate::error::{Error, Result};
use nw_llm::{ChatMessage, ChatModel, LoadOptions, SamplingParams};
use nw_store::{Role, Store};
use std::path::{Path, PathBuf};

/// Where a generation model was found.
#[derive(Debug, Clone)]
pub struct ModelLocation {
    pub path: PathBuf,
    pub sha256: Option<String>,
    /// The manifest's name for a model from the store (`smollm2-135m-instruct`).
    pub name: Option<String>,
}

/// `--model PATH` if given (any GGUF file), else the store's default generation model.
/// `Ok(None)` when no model is installed and none was asked for by path.
pub fn locate(explicit: Option<&Path>) -> Result<Option<ModelLocation>> {
    if let Some(path) = explicit {
        if path.is_dir() {
            return Err(Error::Usage(format!(
                "--model {}: is a directory; pass the .gguf file in it",
                path.display()
            )));
        }
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "--model {}: no such file",
                path.display()
            )));
        }
        return Ok(Some(ModelLocation {
            path: path.to_path_buf(),
            sha256: None,
            name: None,
        }));
    }
    let store = Store::discover();
    match store.default_for(Role::Generate) {
        Ok(located) => {
            let sha256 = located.spec.files.first().map(|f| f.sha256.clone());
            let path = located
                .files
                .first()
                .cloned()
                .ok_or_else(|| Error::Model(format!("{} has no files", located.spec.name)))?;
            Ok(Some(ModelLocation {
                path,
                sha256,
                name: Some(located.spec.name.clone()),
            }))
        }
        Err(_) => Ok(None),
    }
}

/// The hint printed when `--engine auto` finds no model.
pub const NO_MODEL_HINT: &str =
    "hint: no language model installed, so this draft is rule-built; run models/fetch (or `notewright models pull smollm2-135m-instruct`) to add one";

/// Sampling for rewrites: low temperature so the small model stays close to the grounded
/// skeleton; the first candidate is greedy.
fn params(seed: u64, attempt: u64, max_chars: usize) -> SamplingParams {
    SamplingParams {
        // About 3.5 characters per token in English, plus a little room: a longer answer would
        // break the limit anyway, and an unfinished one is rejected.
        max_new_tokens: (max_chars * 2 / 7 + 12).min(400),
        temperature: if attempt == 0 { 0.0 } else { 0.3 },
        top_p: Some(0.9),
        repeat_penalty: 1.1,
        repeat_last_n: 64,
        seed,
    }
}

/// A loaded chat model that rewrites skeletons.
pub struct ModelRewriter {
    model: ChatModel,
    /// How outputs name the model: the manifest name, else the GGUF's own.
    name: String,
    candidates: usize,
}

impl ModelRewriter {
    pub fn load(location: &ModelLocation, threads: Option<usize>) -> Result<ModelRewriter> {
        let opts = LoadOptions {
            threads,
            cache_dir: None,
            source_sha256: location.sha256.clone(),
        };
        let model =
            ChatModel::load(&location.path, &opts).map_err(|e| Error::Model(e.to_string()))?;
        let name = location
            .name
            .clone()
            .unwrap_or_else(|| model.name().to_string());
        Ok(ModelRewriter {
            model,
            name,
            // Grounded decoding makes most candidates pass the fact checks, so two (greedy and
            // one sample) are enough; each costs a full generation.
            candidates: 2,
        })
    }

    pub fn with_candidates(mut self, n: usize) -> Self {
        self.candidates = n.max(1);
        self
    }

    pub fn chat_model(&mut self) -> &mut ChatModel {
        &mut self.model
    }
}

impl Rewriter for ModelRewriter {
    fn model_name(&self) -> String {
        self.name.clone()
    }

    fn rewrite(&mut self, request: &RewriteRequest<'_>) -> Result<Candidate> {
        // An empty system prompt leaves the model's own default in place (see rewrite_system.j2).
        let mut messages = Vec::with_capacity(2);
        if !request.system.trim().is_empty() {
            messages.push(ChatMessage::system(request.system.trim()));
        }
        messages.push(ChatMessage::user(request.user.trim()));
        let mut prompt = self
            .model
            .render_chat(&messages, true)
            .map_err(|e| Error::Model(e.to_string()))?;
        prompt.push_str(request.answer_prefix);
        let params = params(request.seed, request.attempt, request.max_chars);
        let generation = match request.guard {
            Some(allows) => self.model.generate_guarded(&prompt, &params, allows),
            None => self.model.generate(&prompt, &params),
        }
        .map_err(|e| Error::Model(e.to_string()))?;
        Ok(Candidate {
            text: format!("{}{}", request.answer_prefix, generation.text),
            finished: generation.stopped_on_eos,
        })
    }

    fn candidates(&self) -> usize {
        self.candidates
    }

    fn naturalness(&mut self, instruction: &str, text: &str) -> Result<Option<f32>> {
        let prompt = self
            .model
            .render_chat(&[ChatMessage::user(instruction)], true)
            .map_err(|e| Error::Model(e.to_string()))?;
        let score = self
            .model
            .score(&prompt, text.trim())
            .map_err(|e| Error::Model(e.to_string()))?;
        Ok(Some(score.mean()))
    }
}

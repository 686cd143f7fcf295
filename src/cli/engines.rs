//! Choosing engines from `--engine`: the rule classifier or the embedding classifier, the rule
//! drafter or the model rewriter. `auto` takes a model when one is installed.

use super::args::{ClassifyEngine, Common, DraftEngine};
use notewright::classify::{self, Classification};
use notewright::embed_classifier::EmbedClassifier;
use notewright::error::{Error, Result};
use notewright::model::{self, ModelRewriter};
use nw_store::{Role, Store};

pub enum Classifier {
    Rules,
    Embed(Box<EmbedClassifier>),
}

impl Classifier {
    pub fn new(engine: ClassifyEngine) -> Result<Classifier> {
        if engine == ClassifyEngine::Rules {
            // Compile the signal table while the caller reads its input.
            std::thread::spawn(notewright::signals::prepare);
            return Ok(Classifier::Rules);
        }
        let located = Store::discover().default_for(Role::Embed);
        match (located, engine) {
            (Ok(model), _) => {
                tracing::info!(
                    "embedding model {} from {}",
                    model.spec.name,
                    model.dir.display()
                );
                let sha = model.spec.content_key();
                match EmbedClassifier::load(&model.dir, &sha, None) {
                    Ok(c) => Ok(Classifier::Embed(Box::new(c))),
                    Err(e) if engine == ClassifyEngine::Auto => {
                        super::stderr_line(format_args!("warning: {e}; using the rule classifier"));
                        Ok(Classifier::Rules)
                    }
                    Err(e) => Err(e),
                }
            }
            // The store's own words: not installed (with where it looked and how to install),
            // or a file of the wrong size (truncated).
            (Err(e), ClassifyEngine::Embed) => Err(Error::Usage(format!("--engine embed: {e}"))),
            (Err(e), _) => {
                tracing::info!("rule classifier: no embedding model ({e})");
                Ok(Classifier::Rules)
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Classifier::Rules => "rules",
            Classifier::Embed(_) => "embed",
        }
    }

    /// How many notes to classify at a time: large enough to keep both cores busy, small enough
    /// to keep the progress bar moving (the embedding classifier does about 400 notes a second).
    pub fn batch_size(&self) -> usize {
        match self {
            Classifier::Rules => 4096,
            Classifier::Embed(_) => 256,
        }
    }

    pub fn classify_batch(&self, notes: &[&str]) -> Result<Vec<Classification>> {
        match self {
            Classifier::Rules => Ok(classify::classify_rules_batch(notes)),
            Classifier::Embed(c) => c.classify_batch(notes),
        }
    }

    pub fn classify(&self, note: &str) -> Result<Classification> {
        Ok(self.classify_batch(&[note])?.remove(0))
    }
}

/// The model for `--engine model` (or `auto` with `--model PATH`), or none for rule drafts.
/// `model` without an installed model is an error; `auto` falls back to the rules with a warning
/// when the named model does not load.
pub fn rewriter(engine: DraftEngine, common: &Common) -> Result<Option<ModelRewriter>> {
    // `auto` drafts with the rules: read blind, the 135M model's choices and rewrites did not
    // beat the rule drafts (see the README's figures), so no one waits seconds for them. A
    // `--model PATH` given with `auto` is an explicit request for the model.
    if engine == DraftEngine::Rules || (engine == DraftEngine::Auto && common.model.is_none()) {
        return Ok(None);
    }
    let threads = common.threads.map(|t| t as usize);
    // A file the user named that does not load is bad input (exit 2), named in the message.
    let load = |location: &model::ModelLocation| {
        ModelRewriter::load(location, threads).map_err(|e| match &common.model {
            Some(path) => Error::Usage(format!("--model {}: {e}", path.display())),
            None => e,
        })
    };
    // Here the model was asked for: by --engine model, or by --model PATH (which locates).
    let Some(location) = model::locate(common.model.as_deref())? else {
        return Err(Error::Usage(
            "--engine model: no language model installed; run models/fetch, `notewright models pull smollm2-135m-instruct`, or pass --model PATH".into(),
        ));
    };
    let started = std::time::Instant::now();
    match load(&location) {
        Ok(m) => {
            tracing::info!(
                "language model {} loaded in {:.2} s",
                location.path.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(Some(m))
        }
        Err(e) if engine == DraftEngine::Auto => {
            super::stderr_line(format_args!("warning: {e}; using the rule engine"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

//! notewright: handle connection requests offline. Classify an incoming note, triage a request
//! against my policy, draft the messages good etiquette calls for, and lint my own notes.
//!
//! Data flows one way: input (profile JSON / note / CSV) → [`facts`] → rule-built skeleton
//! ([`draft`], templates in [`prompts`]) → optional model rewrite ([`draft::Rewriter`]) →
//! [`verify`] → output.

pub mod char_ngrams;
pub mod check;
pub mod classify;
pub mod draft;
pub mod embed_classifier;
pub mod error;
pub mod eval;
pub mod export;
pub mod facts;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod input;
pub mod me;
pub mod model;
pub mod output;
pub mod profile;
pub mod prompts;
pub mod signals;
pub mod text;
pub mod triage;
pub mod untrusted;
pub mod verify;

pub use error::{Error, Result};

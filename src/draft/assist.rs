//! How the model assists a rule draft, where a 135M model is strong and where it is not.
//!
//! - **Judge.** The templates offer alternatives (wordings, brevity levels); the model scores
//!   each candidate's per-token log-likelihood under a neutral prompt (prefill only) and the
//!   most natural one is kept.
//! - **Rewrite, guarded.** The model may rephrase the body (the template keeps the greeting, the
//!   sign-off and the layout), with decoding held to the inputs' names and numbers; the rewrite
//!   is kept only if the verifier passes it *and* it reads at least as naturally to the model,
//!   under the same neutral prompt, as the rule wording it would replace.
//! - **Honest engine.** A final text equal (or within [`MIN_CHANGE`] of) the rule draft for the
//!   seed is reported as the rules' work; `rule_text` and `edits` show what the model did.

use super::{Draft, DraftOptions, Drafter, Rewriter};
use crate::error::Result;
use crate::text;
use minijinja::{context, Value};

/// Below this share of words changed, a text is the rule draft's, whoever produced it.
pub const MIN_CHANGE: f32 = 0.15;

/// How many alternative rule wordings the judge weighs (the seed's own included).
const JUDGED_WORDINGS: u64 = 4;

/// How much more natural (mean log-probability per token) another wording must read before the
/// judge prefers it to the seed's own: below this, the difference is noise.
const JUDGE_MARGIN: f32 = 0.05;

/// A draft's frame, owned by the template: greeting, sign-off and layout. The model only ever
/// sees and writes the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub greeting: String,
    pub body: String,
    pub sign_off: Option<String>,
    /// Messages have paragraphs (greeting, body, sign-off); invites are one paragraph.
    pub paragraphs: bool,
}

impl Frame {
    /// Split a rule draft. `sign_off` is the signature the template wrote last, if any.
    pub fn split(text: &str, sign_off: Option<&str>) -> Frame {
        let paragraphs = text.contains("\n\n");
        let (greeting, rest) = if paragraphs {
            text.split_once("\n\n").unwrap_or((text, ""))
        } else {
            // "Hi Dana, great meeting you …": the greeting ends at its comma.
            match text.split_once(", ") {
                Some((g, rest)) if g.split_whitespace().count() <= 4 => (g, rest),
                _ => ("", text),
            }
        };
        let greeting = if paragraphs {
            greeting.to_string()
        } else if greeting.is_empty() {
            String::new()
        } else {
            format!("{greeting},")
        };
        let (body, sign) = match sign_off.filter(|s| !s.is_empty()) {
            Some(sig) if paragraphs => match rest.rsplit_once("\n\n") {
                Some((body, last)) if last.ends_with(sig) => {
                    (body.to_string(), Some(last.to_string()))
                }
                _ => (rest.to_string(), None),
            },
            Some(sig) => {
                // "… Best, Sam": the sign-off is the last sentence-less tail ending in the signature.
                let trimmed = rest.trim_end();
                match trimmed.strip_suffix(sig) {
                    Some(before) => {
                        let cut = before
                            .trim_end()
                            .rfind(['.', '!', '?'])
                            .map_or(0, |i| i + 1);
                        let tail = trimmed[cut..].trim().to_string();
                        (trimmed[..cut].trim().to_string(), Some(tail))
                    }
                    None => (rest.to_string(), None),
                }
            }
            None => (rest.to_string(), None),
        };
        Frame {
            greeting,
            body: body.trim().to_string(),
            sign_off: sign,
            paragraphs,
        }
    }

    /// The frame around a new body.
    pub fn with_body(&self, body: &str) -> String {
        let sep = if self.paragraphs { "\n\n" } else { " " };
        let mut parts: Vec<&str> = Vec::new();
        if !self.greeting.is_empty() {
            parts.push(&self.greeting);
        }
        parts.push(body.trim());
        if let Some(s) = &self.sign_off {
            parts.push(s);
        }
        parts.join(sep)
    }
}

/// The share of words that differ between two texts (a word-level edit distance over the
/// longer one's length), ignoring case, punctuation and whitespace.
pub fn words_changed(a: &str, b: &str) -> f32 {
    let fa = text::fold(a);
    let fb = text::fold(b);
    let wa: Vec<&str> = text::words(&fa).collect();
    let wb: Vec<&str> = text::words(&fb).collect();
    let longest = wa.len().max(wb.len());
    if longest == 0 {
        return 0.0;
    }
    let mut prev: Vec<usize> = (0..=wb.len()).collect();
    for (i, x) in wa.iter().enumerate() {
        let mut row = vec![i + 1; wb.len() + 1];
        for (j, y) in wb.iter().enumerate() {
            row[j + 1] = if x == y {
                prev[j]
            } else {
                1 + prev[j].min(prev[j + 1]).min(row[j])
            };
        }
        prev = row;
    }
    prev[wb.len()] as f32 / longest as f32
}

impl Drafter<'_> {
    /// The neutral instruction the judge scores texts under: what kind of message this is,
    /// nothing about rewriting.
    fn judge_instruction(&self, opts: &DraftOptions) -> Result<String> {
        let ctx = context! {
            kind => opts.kind.as_str(),
            kind_description => opts.kind.description(),
            them_first_name => self.profile.first_name(),
        };
        self.prompts
            .render("judge.j2", &Value::from_serialize(&ctx))
            .map(|s| s.trim().to_string())
    }

    /// The model-assisted draft for one seed: the judge picks the most natural of a few rule
    /// wordings, then a guarded rewrite of its body may replace it.
    pub(super) fn assisted(
        &self,
        opts: &DraftOptions,
        seed: u64,
        model: &mut dyn Rewriter,
    ) -> Result<Draft> {
        let rule = self.skeleton(opts, seed)?;
        let instruction = self.judge_instruction(opts)?;
        let mut edits = Vec::new();
        let sign_off = self.me.sign_off();
        let body_of = |d: &Draft| Frame::split(&d.text, sign_off.as_deref()).body;
        let mut best = rule.clone();
        // The judge: the seed's wording against a few alternatives of the same situation, when
        // the model can score at all (alternatives are only rendered then).
        let mut best_score = model.naturalness(&instruction, &body_of(&rule))?;
        if let Some(rule_score) = best_score {
            let mut pool = vec![(rule.clone(), rule_score)];
            for k in 1..JUDGED_WORDINGS {
                let alt_seed = seed.wrapping_mul(7919).wrapping_add(1_000_003 * k);
                let Ok(alt) = self.skeleton(opts, alt_seed) else {
                    continue;
                };
                if pool.iter().all(|(d, _)| d.text != alt.text) {
                    if let Some(score) = model.naturalness(&instruction, &body_of(&alt))? {
                        pool.push((alt, score));
                    }
                }
            }
            let (i, (_, s)) = pool
                .iter()
                .enumerate()
                .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
                .expect("the pool holds the rule draft");
            if i != 0 && *s >= rule_score + JUDGE_MARGIN {
                edits.push(format!(
                    "chose wording {} of {} as the most natural ({:.2} vs {:.2} for the default wording, mean log-probability per token)",
                    i + 1,
                    pool.len(),
                    s,
                    rule_score
                ));
                best_score = Some(*s);
                best = pool[i].0.clone();
            }
        }
        // The guarded rewrite of the chosen wording's body.
        let rewritten = self.rewrite(opts, &best, model, seed)?;
        let mut fallback = rewritten.fallback_reason.clone();
        let mut final_draft = best.clone();
        if rewritten.engine == "model" {
            let changed = words_changed(&rewritten.text, &best.text);
            let score = model.naturalness(&instruction, &body_of(&rewritten))?;
            match (score, best_score) {
                _ if changed < MIN_CHANGE => {
                    fallback = Some(format!(
                        "the model's rewrite changed only {:.0}% of the words",
                        changed * 100.0
                    ));
                }
                (Some(new), Some(old)) if new < old => {
                    fallback = Some(format!(
                        "the model's rewrite read less naturally than the rule wording ({new:.2} vs {old:.2} mean log-probability per token): \"{}\"",
                        text::one_line(&rewritten.text, 160)
                    ));
                }
                _ => {
                    edits.push(format!(
                        "rewrote the body ({:.0}% of the words changed{})",
                        changed * 100.0,
                        score
                            .zip(best_score)
                            .map(|(n, o)| format!(
                                ", {n:.2} vs {o:.2} mean log-probability per token"
                            ))
                            .unwrap_or_default()
                    ));
                    final_draft = rewritten;
                }
            }
        }
        // Never claim help the model did not give: a text within MIN_CHANGE of the rule draft
        // is the rule draft.
        let engine = if words_changed(&final_draft.text, &rule.text) < MIN_CHANGE {
            "rules"
        } else {
            "model"
        };
        let model_name = Some(model.model_name());
        Ok(if engine == "rules" {
            Draft {
                model: model_name,
                fallback_reason: Some(
                    fallback.unwrap_or_else(|| "the model kept the rule wording".into()),
                ),
                rule_text: None,
                edits: Vec::new(),
                ..rule
            }
        } else {
            Draft {
                engine: "model".into(),
                model: model_name,
                fallback_reason: None,
                rule_text: Some(rule.text.clone()),
                edits,
                facts_used: self.facts_in(&final_draft.text),
                chars: text::char_count(&final_draft.text),
                text: final_draft.text,
                ..rule
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_keeps_greeting_and_sign_off() {
        let f = Frame::split(
            "Hi Dana, great meeting you at the Summit. I'd like to stay in touch. Best, Sam",
            Some("Sam"),
        );
        assert_eq!(f.greeting, "Hi Dana,");
        assert_eq!(
            f.body,
            "great meeting you at the Summit. I'd like to stay in touch."
        );
        assert_eq!(f.sign_off.as_deref(), Some("Best, Sam"));
        assert_eq!(
            f.with_body("lovely to meet you at the Summit."),
            "Hi Dana, lovely to meet you at the Summit. Best, Sam"
        );
        let m = Frame::split(
            "Hi Dana,\n\nThanks for connecting! Shall we talk?\n\nBest,\nSam",
            Some("Sam"),
        );
        assert_eq!(m.greeting, "Hi Dana,");
        assert_eq!(m.body, "Thanks for connecting! Shall we talk?");
        assert_eq!(m.sign_off.as_deref(), Some("Best,\nSam"));
        assert_eq!(
            m.with_body("Thank you for connecting."),
            "Hi Dana,\n\nThank you for connecting.\n\nBest,\nSam"
        );
    }

    #[test]
    fn near_identical_texts_count_as_unchanged() {
        let a = "Hi Dana, great meeting you at the Summit. I'd like to stay in touch. Best, Sam";
        assert!(words_changed(a, &a.replace('.', "!")) < MIN_CHANGE);
        assert!(words_changed(a, "Hi Dana, great meeting you at the Summit. Best, Sam") < 0.5);
        assert!(
            words_changed(a, "Hello Dana, it was lovely to meet you at the Summit and I hope we stay in touch. Sam")
                >= MIN_CHANGE
        );
    }
}

//! Drafting the four messages good etiquette calls for. Facts → a rule-built skeleton from the
//! templates, fitted to the limit by dropping clauses (never by cutting words) → optionally a
//! model rewrite → the verifier → output. The drafting code knows nothing of tensors: a model
//! reaches it only through the [`Rewriter`] trait.

use crate::classify::Classification;
use crate::error::{Error, Result};
use crate::facts::{self, Fact, FactKind};
use crate::me::Me;
use crate::profile::Profile;
use crate::prompts::Prompts;
use crate::text;
use crate::triage::{Action, Decision};
use crate::verify::{self, Grounding, Verdict};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::HashSet;

pub mod assist;
pub mod note_claims;
pub mod phrasing;
pub mod situation;

pub use situation::Situation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftKind {
    /// A personalized invitation note.
    Invite,
    /// Reply before accepting: what prompted the request?
    Ask,
    /// Decline, leaving the door open.
    Decline,
    /// After connecting: thank-you plus a short introductory call.
    Followup,
}

impl DraftKind {
    pub const ALL: [DraftKind; 4] = [
        DraftKind::Invite,
        DraftKind::Ask,
        DraftKind::Decline,
        DraftKind::Followup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::Invite => "invite",
            DraftKind::Ask => "ask",
            DraftKind::Decline => "decline",
            DraftKind::Followup => "followup",
        }
    }

    fn template(self) -> String {
        format!("{}.j2", self.as_str())
    }

    /// How the model prompt describes the message.
    fn description(self) -> &'static str {
        match self {
            DraftKind::Invite => "LinkedIn connection request note",
            DraftKind::Ask => "reply to a connection request, asking what prompted it",
            DraftKind::Decline => "polite reply declining a connection request",
            DraftKind::Followup => "thank-you message after connecting",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    #[default]
    Warm,
    Formal,
    Brief,
}

impl Tone {
    pub const ALL: [Tone; 3] = [Tone::Warm, Tone::Formal, Tone::Brief];

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Warm => "warm",
            Tone::Formal => "formal",
            Tone::Brief => "brief",
        }
    }
}

/// Messages after connecting have no practical limit on the network; keep them short anyway.
pub const MESSAGE_LIMIT: usize = 1000;
/// The shortest clause set of any template is about this long; a smaller limit cannot be met.
const BREVITY_LEVELS: u8 = 5;
/// Wordings tried at each lead and brevity level before a shorter level or a weaker lead.
const WORDING_TRIES: u64 = 3;

#[derive(Debug, Clone)]
pub struct DraftOptions {
    pub kind: DraftKind,
    pub tone: Tone,
    /// Character limit; `None` = the account tier's note limit for invites, [`MESSAGE_LIMIT`] otherwise.
    pub limit: Option<usize>,
    pub variants: usize,
    pub seed: u64,
    /// Write an invite even when the profile gives nothing to personalise it with (the seeds
    /// rule such notes out, so by default this is an error naming the fields that would help).
    pub allow_generic: bool,
    /// Write a kind that goes against my own policy or against a meeting we had (a follow-up
    /// to someone my policy turns away, a decline to someone I met): by default refused.
    pub force: bool,
}

impl DraftOptions {
    pub fn new(kind: DraftKind) -> DraftOptions {
        DraftOptions {
            kind,
            tone: Tone::Warm,
            limit: None,
            variants: 1,
            seed: 0,
            allow_generic: false,
            force: false,
        }
    }

    pub fn effective_limit(&self, me: &Me) -> usize {
        self.limit.unwrap_or(match self.kind {
            DraftKind::Invite => me.tier.note_limit(),
            _ => MESSAGE_LIMIT,
        })
    }
}

/// One finished, verified draft.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Draft {
    pub kind: DraftKind,
    pub text: String,
    pub chars: usize,
    pub limit: usize,
    /// `rules`, or `model` when a model rewrite passed the verifier.
    pub engine: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub facts_used: Vec<String>,
    /// Why the model's candidates were rejected, when a model was asked and the rules answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// This kind of message may not fit the situation (a follow-up to a pitcher, an invite to
    /// someone who already sent me one): what `triage` would say instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The rule draft the model started from, when the model's text was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_text: Option<String>,
    /// What the model did to the rule draft (chose a wording, rewrote the body).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<String>,
}

/// A language model that rewrites a grounded skeleton. Implemented over the model runtime by the
/// application; the drafter sees strings only.
pub trait Rewriter {
    /// The model's name, reported in the output.
    fn model_name(&self) -> String;
    /// One candidate rewrite for a chat of `system` + `user`, sampled with `seed`. The answer
    /// starts with `answer_prefix` (the greeting, which anchors a small model) and should fit in
    /// `max_chars` characters; the returned text includes the prefix.
    fn rewrite(&mut self, request: &RewriteRequest<'_>) -> Result<Candidate>;
    /// How many candidates to try per draft.
    fn candidates(&self) -> usize {
        3
    }
    /// How naturally `text` reads as the answer to `instruction`: its mean log-probability per
    /// token under the model (prefill only). `None` when the model cannot score.
    fn naturalness(&mut self, _instruction: &str, _text: &str) -> Result<Option<f32>> {
        Ok(None)
    }
}

/// What a [`Rewriter`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub text: String,
    /// False when the model ran out of tokens mid-message: such text is never used.
    pub finished: bool,
}

/// One call to a [`Rewriter`].
#[derive(Clone, Copy)]
pub struct RewriteRequest<'a> {
    pub system: &'a str,
    pub user: &'a str,
    pub answer_prefix: &'a str,
    pub seed: u64,
    /// Index of this candidate among the draft's candidates (0 = the greedy one).
    pub attempt: u64,
    pub max_chars: usize,
    /// Grounded decoding: whether the text generated so far may stand (no name, number, link
    /// or placeholder the inputs do not have, no condemned filler). The model never emits a
    /// token that makes it false.
    pub guard: Option<&'a dyn Fn(&str) -> bool>,
}

/// Everything a draft is built from, prepared once per profile.
pub struct Drafter<'a> {
    prompts: &'a Prompts,
    profile: &'a Profile,
    me: &'a Me,
    facts: Vec<Fact>,
    situation: Situation,
    grounding: Grounding,
    /// Invites must not name shared connections (ask them first), so their names are not
    /// grounding for an invite.
    invite_grounding: Grounding,
    /// How their note was read (none when they sent no request).
    note_reading: Option<Classification>,
    /// What `triage` decides on their request (none without one, or once connected).
    decision: Option<Decision>,
}

/// `triage`'s decision on their request, when there is one still to decide: an existing
/// connection was decided already.
fn decide(profile: &Profile, me: &Me, reading: Option<&Classification>) -> Option<Decision> {
    reading
        .filter(|_| profile.connected != Some(true))
        .map(|r| crate::triage::triage(profile, r, &me.policy))
}

impl<'a> Drafter<'a> {
    pub fn new(prompts: &'a Prompts, profile: &'a Profile, me: &'a Me) -> Drafter<'a> {
        let mut inputs = profile.strings();
        inputs.extend(me.strings());
        let vocabulary = prompts.vocabulary();
        let grounding = Grounding::new(inputs.iter().map(String::as_str), vocabulary.clone());
        let mut without_connections = profile.clone();
        without_connections.common.connections.clear();
        let mut invite_inputs = without_connections.strings();
        invite_inputs.extend(me.strings());
        let invite_grounding = Grounding::new(invite_inputs.iter().map(String::as_str), vocabulary);
        let note_reading = profile.note.as_deref().map(crate::classify::classify_rules);
        Drafter {
            prompts,
            profile,
            me,
            facts: facts::extract(profile),
            situation: Situation::new(profile, me, note_reading.as_ref()),
            grounding,
            invite_grounding,
            decision: decide(profile, me, note_reading.as_ref()),
            note_reading,
        }
    }

    /// Read their note with another classifier's answer (the embedding classifier's, say)
    /// instead of the rules': `triage`, `inbox` and `draft` then agree on what the note is.
    pub fn reading_note_as(mut self, classification: Classification) -> Drafter<'a> {
        if self.profile.note.is_some() {
            self.situation = Situation::new(self.profile, self.me, Some(&classification));
            self.decision = decide(self.profile, self.me, Some(&classification));
            self.note_reading = Some(classification);
        }
        self
    }

    /// What a draft of this kind may mention.
    pub fn grounding_for(&self, kind: DraftKind) -> &Grounding {
        if kind == DraftKind::Invite {
            &self.invite_grounding
        } else {
            &self.grounding
        }
    }

    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    pub fn situation(&self) -> &Situation {
        &self.situation
    }

    /// Why this kind of message fits nobody in this situation, if it does not: a reply to a
    /// request that was never sent, an invite to someone who sent one, anything but a
    /// follow-up to an existing connection, any reply to a scam. The draft is refused (exit 2)
    /// with what to do instead.
    pub fn misfit(&self, kind: DraftKind) -> Option<String> {
        let s = &self.situation;
        let first = self.profile.first_name();
        if self.profile.connected == Some(true) {
            if kind == DraftKind::Followup {
                return None;
            }
            let what = match kind {
                DraftKind::Invite => "an invite",
                DraftKind::Ask => "an ask (reply before accepting)",
                _ => "a decline",
            };
            return Some(format!(
                "the profile says you are already connected with {first}, so {what} does not fit: send a thank-you with `draft followup` (to end a connection, remove it on LinkedIn; no message is needed)"
            ));
        }
        if s.offer == Some("scam") {
            return Some(format!(
                "{first}'s note looks like a scam (money, crypto or a chat-app link): best not to reply at all; ignore the request and report it on LinkedIn"
            ));
        }
        match kind {
            DraftKind::Ask | DraftKind::Decline if !s.requested => Some(format!(
                "there is no request from {first} to {}: the profile has no `note` (its presence says they sent you a request; write \"note\": \"\" for one without a note); to reach out yourself, use `draft invite`",
                if kind == DraftKind::Ask { "reply to" } else { "decline" }
            )),
            DraftKind::Invite if s.requested => Some(format!(
                "{first} already sent you a request (the profile has their `note`): accept it and send `draft followup`, or reply with `draft ask` / `draft decline` (see `notewright triage`)"
            )),
            DraftKind::Invite if s.note_class == Some("sales_pitch") => Some(
                "their note reads as a sales pitch: an invite back would only invite more of it; `notewright triage` recommends ignoring the request (or reply with `draft decline`)".into(),
            ),
            _ => None,
        }
    }

    /// Why this draft is refused, if it is: a kind that fits nobody, or (unless forced) one
    /// that goes against my own policy or a meeting we had.
    pub fn refusal(&self, opts: &DraftOptions) -> Option<String> {
        self.misfit(opts.kind).or_else(|| {
            if opts.force {
                None
            } else {
                self.policy_conflict(opts.kind)
            }
        })
    }

    /// Whether this kind goes against what `triage` decides on firm grounds: accepting (or
    /// asking) someone my own policy turns away, or declining someone I have met or talked
    /// with. A reading of their note can be wrong, so a kind that only disagrees with it is
    /// warned about, not refused.
    pub fn policy_conflict(&self, kind: DraftKind) -> Option<String> {
        let (decision, reading) = self.decision.as_ref().zip(self.note_reading.as_ref())?;
        if !decision.firm {
            return None;
        }
        let first = self.profile.first_name();
        let why = decision.reasons.last().cloned().unwrap_or_default();
        let what = match (kind, decision.action) {
            (DraftKind::Followup | DraftKind::Ask, Action::Decline) => format!(
                "{} would go against your own rule ({why}): `notewright triage` declines {first}'s request; write that with `draft decline`",
                if kind == DraftKind::Followup {
                    "accepting with a follow-up"
                } else {
                    "asking before accepting"
                }
            ),
            (DraftKind::Followup, Action::Ignore) => format!(
                "accepting {first} with a follow-up would take on a sales pitch (their note reads as one, {:.0}% confidence): `notewright triage` ignores the request; to answer it, write `draft decline`",
                reading.confidence * 100.0
            ),
            (DraftKind::Decline, Action::Accept) if self.situation.met.is_some() || self.situation.talked => format!(
                "declining {first} would turn away someone you know ({why}): `notewright triage` accepts; write the thank-you with `draft followup`"
            ),
            (DraftKind::Decline, Action::Accept) => format!(
                "declining {first} would go against your own rule (accept_genuine_strangers: {why}; the note reads as genuine with {:.0}% confidence): `notewright triage` accepts; write the thank-you with `draft followup`",
                reading.confidence * 100.0
            ),
            _ => return None,
        };
        Some(format!(
            "{what}, or pass --force to draft the {} anyway",
            kind.as_str()
        ))
    }

    /// When this kind of message does not fit the situation, what to do instead: `triage`'s
    /// own recommendation for their request, when the kind goes against it.
    pub fn warnings(&self, kind: DraftKind) -> Vec<String> {
        let mut out = Vec::new();
        if self.me.sign_off().is_none() {
            out.push("no name in your me file, so the draft is not signed: add `name = \"…\"` to me.toml (or run `notewright init --from-export`)".to_string());
        }
        let Some(decision) = &self.decision else {
            return out;
        };
        let fits = match kind {
            DraftKind::Followup => decision.action == Action::Accept,
            DraftKind::Ask => decision.action == Action::Ask,
            DraftKind::Decline => matches!(decision.action, Action::Decline | Action::Ignore),
            DraftKind::Invite => true,
        };
        if !fits {
            // triage's last reason is the one that decided.
            let why = decision.reasons.last().cloned().unwrap_or_default();
            let instead = match decision.action {
                Action::Accept => "accept and send `draft followup`",
                Action::Ask => "reply with `draft ask` before accepting",
                Action::Decline => "decline with `draft decline`",
                Action::Ignore => "ignore the request (or decline with `draft decline`)",
            };
            let warning = format!("`notewright triage` would {instead}: {why}");
            out.push(warning);
        }
        out
    }

    /// Which element may lead a draft, strongest first: the skeleton falls back to a weaker one
    /// when the stronger one cannot fit the limit.
    fn leads(&self) -> Vec<&'static str> {
        let s = &self.situation;
        let mut leads = Vec::new();
        if s.met.is_some() {
            leads.push("met");
        }
        if s.referral.is_some() || s.referrer.is_some() {
            leads.push("referral");
        }
        // A reason that already speaks of their talk or article says the content itself.
        let reason_cites_content = match (&s.reason, &s.content) {
            (Some(r), Some(c)) => {
                let folded = text::fold(&r.text);
                folded.contains(&format!("your {}", c.kind))
            }
            _ => false,
        };
        if s.content.is_some() && !reason_cites_content {
            leads.push("content");
        }
        if s.shared.is_some() {
            leads.push("shared");
        }
        if s.shared_connections > 0 {
            leads.push("connections");
        }
        // With nothing to cite, the note rests on my reason (or is the generic note the user
        // explicitly allowed).
        if leads.is_empty() || s.reason.is_some() {
            leads.push("none");
        }
        leads
    }

    /// `opts.variants` distinct drafts (or as many distinct ones as the templates allow).
    pub fn draft(
        &self,
        opts: &DraftOptions,
        mut rewriter: Option<&mut dyn Rewriter>,
    ) -> Result<Vec<Draft>> {
        let wanted = opts.variants.max(1);
        let mut drafts: Vec<Draft> = Vec::new();
        let mut seen = HashSet::new();
        // Each variant is a different seed; some seeds give the same wording, so try a few more.
        for seed in (opts.seed..).take(wanted * 8) {
            let draft = match rewriter.as_deref_mut() {
                Some(model) => self.assisted(opts, seed, model)?,
                None => self.skeleton(opts, seed)?,
            };
            if seen.insert(draft.text.clone()) {
                drafts.push(draft);
                if drafts.len() == wanted {
                    break;
                }
            }
        }
        Ok(drafts)
    }

    /// The rule-built draft for one seed: the strongest fact that fits, at the fullest brevity
    /// level that fits the limit.
    pub fn skeleton(&self, opts: &DraftOptions, seed: u64) -> Result<Draft> {
        let limit = opts.effective_limit(self.me);
        if let Some(why) = self.refusal(opts) {
            return Err(Error::Usage(why));
        }
        if opts.kind == DraftKind::Invite
            && self.situation.is_generic_invite()
            && !opts.allow_generic
        {
            return Err(Error::Usage(
                "nothing to personalise this invite with, and LinkedIn's default text is what the etiquette rules out: add to the profile how you met (`met.where`, `met.when`, `met.topic`), who suggested it (`referred_by`), something of theirs you read (`their_content`), what you share (`common.employers`, `common.schools`, `common.groups`, `common.interests`) or why you want to connect (`reason`); or pass --allow-generic".into(),
            ));
        }
        let leads = self.leads();
        let grounding = self.grounding_for(opts.kind);
        let mut shortest: Option<(usize, String)> = None;
        let mut rejected: Option<String> = None;
        let barest = BREVITY_LEVELS - 1;
        // For each lead: the first wording at every fuller level, then other wordings of the
        // same sentences (a shorter phrasing may fit where the first did not: a stronger fact
        // beats a weaker one). The barest level drops the reason and the sign-off, which a
        // weaker lead with both beats, so it comes last, for any lead.
        let order: Vec<(&str, u8, u64)> = leads
            .iter()
            .flat_map(|l| {
                (0..WORDING_TRIES).flat_map(move |alt| (0..barest).map(move |b| (*l, b, alt)))
            })
            .chain(leads.iter().map(|l| (*l, barest, 0)))
            .collect();
        for (lead, brevity, alt) in order {
            let text = self.render(opts, lead, brevity, seed.wrapping_add(alt * 1_000_003))?;
            let chars = text::char_count(&text);
            if chars > limit {
                tracing::debug!(
                    "{} lead {lead}, brevity {brevity}, wording {alt}: {chars}/{limit} characters, too long",
                    opts.kind.as_str()
                );
                if shortest.as_ref().is_none_or(|(c, _)| chars < *c) {
                    shortest = Some((chars, text));
                }
                continue;
            }
            let verdict = verify::verify(&text, grounding, Some(limit));
            tracing::debug!(
                "{} lead {lead}, brevity {brevity}, wording {alt}: {chars}/{limit} characters, {}",
                opts.kind.as_str(),
                if verdict.passed() {
                    "verified".to_string()
                } else {
                    verdict.summary()
                }
            );
            if !verdict.passed() {
                // Something in the inputs trips the verifier (an odd title, say): try the
                // next wording or fact before giving up.
                rejected.get_or_insert(verdict.summary());
                continue;
            }
            return Ok(Draft {
                kind: opts.kind,
                facts_used: self.facts_in(&text),
                chars,
                limit,
                text,
                engine: "rules".into(),
                model: None,
                fallback_reason: None,
                warnings: self.warnings(opts.kind),
                rule_text: None,
                edits: Vec::new(),
            });
        }
        let article = if opts.kind == DraftKind::Invite {
            "an"
        } else {
            "a"
        };
        if let Some(problems) = rejected {
            return Err(Error::Usage(format!(
                "cannot write {article} {} that passes the verifier from this profile ({problems}); check the profile's fields",
                opts.kind.as_str()
            )));
        }
        let (chars, _) = shortest.unwrap_or_default();
        Err(Error::Usage(format!(
            "cannot fit {article} {} into {limit} characters without cutting words: the shortest version is {chars} characters; raise --limit or shorten the profile's fields",
            opts.kind.as_str()
        )))
    }

    fn render(&self, opts: &DraftOptions, lead: &str, brevity: u8, seed: u64) -> Result<String> {
        let ctx = context! {
            kind => opts.kind.as_str(),
            tone => opts.tone.as_str(),
            brevity => brevity,
            seed => seed,
            // Varies the wording from person to person, so that a batch of drafts does not
            // send everyone the same paragraph; stable for one person and seed.
            voice => crate::prompts::stable_hash(&self.profile.name),
            lead => lead,
            s => Value::from_serialize(&self.situation),
            them => context! {
                name => self.profile.name.clone(),
                first_name => self.profile.first_name(),
                headline => self.profile.headline.clone(),
                company => self.profile.company.clone(),
            },
            me => context! {
                name => self.me.name.clone(),
                first_name => self.me.name.as_deref().map(text::first_name),
                sign_off => self.me.sign_off(),
                call_minutes => self.me.call_minutes,
                company => self.me.company.clone(),
            },
        };
        Ok(text::capitalize_sentences(&text::tidy_paragraphs(
            &self
                .prompts
                .render(&opts.kind.template(), &Value::from_serialize(&ctx))?,
        )))
    }

    /// The facts a text actually cites, as "kind: value" labels.
    fn facts_in(&self, text: &str) -> Vec<String> {
        let folded = text::fold(text);
        let mut used: Vec<String> = self
            .facts
            .iter()
            .filter(|f| {
                if f.kind == FactKind::Connection {
                    ["in common", "share a connection", "share some connections"]
                        .iter()
                        .any(|p| folded.contains(p))
                } else {
                    folded.contains(&text::fold(&f.value))
                }
            })
            .map(Fact::label)
            .collect();
        used.dedup();
        // Who their note says sent them is a fact too, as they claim it.
        if let Some(referrer) = &self.situation.claims.referrer {
            if folded.contains(&text::fold(referrer))
                && !used.iter().any(|u| u.starts_with("referral:"))
            {
                used.push(format!("referral (their note): {referrer}"));
            }
        }
        if let Some(reason) = &self.situation.reason {
            let reason = text::fold(&reason.text);
            if folded.contains(reason.trim_end_matches(['.', '!', '?'])) {
                used.push("reason".into());
            }
        }
        used
    }

    /// Ask the model for candidates; keep the best one the verifier passes, else the skeleton.
    fn rewrite(
        &self,
        opts: &DraftOptions,
        skeleton: &Draft,
        model: &mut dyn Rewriter,
        seed: u64,
    ) -> Result<Draft> {
        let must_keep = self.must_keep(skeleton);
        // The template owns the frame: the model sees and writes the body only.
        let frame = assist::Frame::split(&skeleton.text, self.me.sign_off().as_deref());
        let frame_chars = text::char_count(&frame.with_body(""));
        let ctx = context! {
            kind => opts.kind.as_str(),
            kind_description => opts.kind.description(),
            tone => opts.tone.as_str(),
            limit => skeleton.limit,
            skeleton => frame.body.clone(),
            them_first_name => self.profile.first_name(),
            keep => must_keep.clone(),
        };
        let ctx = Value::from_serialize(&ctx);
        let answer_prefix = String::new();
        let system = self.prompts.render("rewrite_system.j2", &ctx)?;
        let user = self.prompts.render("rewrite_user.j2", &ctx)?;
        let grounding = self.grounding_for(skeleton.kind);
        let guard = |so_far: &str| grounding.allows_prefix(so_far);
        let mut best: Option<(f32, String)> = None;
        let mut first_failure: Option<String> = None;
        let mut passed = 0;
        for attempt in 0..model.candidates() as u64 {
            // Enough choice once one candidate passed and two were tried: keeps drafting fast.
            if passed > 0 && attempt >= 2 {
                break;
            }
            let raw = model.rewrite(&RewriteRequest {
                system: &system,
                user: &user,
                answer_prefix: &answer_prefix,
                seed: seed.wrapping_mul(1000).wrapping_add(attempt),
                attempt,
                max_chars: skeleton.limit.saturating_sub(frame_chars).max(20),
                guard: Some(&guard),
            })?;
            let body = strip_frame(&clean_model_output(&raw.text), &frame);
            let candidate = frame.with_body(&body);
            let mut verdict =
                self.check_candidate(skeleton.kind, &candidate, &must_keep, skeleton.limit);
            let folded_candidate = text::fold(&candidate);
            for fixed in self.fixed_sentences(&skeleton.text) {
                if !folded_candidate.contains(&text::fold(&fixed)) {
                    verdict.problems.push(verify::Problem::AddedClaim {
                        text: format!("(changed a fixed sentence) {fixed}"),
                    });
                }
            }
            let fidelity = fidelity(&candidate, &skeleton.text);
            if let Some(clause) = added_clause(&candidate, &skeleton.text) {
                verdict
                    .problems
                    .push(verify::Problem::AddedClaim { text: clause });
            }
            if fidelity < MIN_FIDELITY {
                verdict.problems.push(verify::Problem::Drifted {
                    percent: (fidelity * 100.0).round() as u8,
                });
            }
            if !raw.finished {
                verdict.problems.push(verify::Problem::Unfinished);
            }
            if verdict.passed() {
                passed += 1;
                let score = naturalness(&candidate, &skeleton.text, skeleton.limit) + fidelity;
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, candidate));
                }
            } else if first_failure.is_none() {
                first_failure = Some(verdict.summary());
            }
        }
        Ok(match best {
            Some((_, text)) => Draft {
                chars: text::char_count(&text),
                facts_used: self.facts_in(&text),
                text,
                engine: "model".into(),
                model: Some(model.model_name()),
                fallback_reason: None,
                ..skeleton.clone()
            },
            None => Draft {
                fallback_reason: Some(format!(
                    "no model candidate passed the verifier ({})",
                    first_failure.unwrap_or_else(|| "no candidates".into())
                )),
                model: Some(model.model_name()),
                ..skeleton.clone()
            },
        })
    }

    /// What the rewrite must keep: their first name, the cited facts' values, and for a
    /// follow-up the length of the call asked for.
    fn must_keep(&self, skeleton: &Draft) -> Vec<String> {
        let folded = text::fold(&skeleton.text);
        let mut keep = vec![self.profile.first_name()];
        if skeleton.kind == DraftKind::Followup {
            keep.push(self.me.call_minutes.to_string());
        }
        keep.extend(
            self.facts
                .iter()
                .filter(|f| {
                    f.kind != FactKind::Connection && folded.contains(&text::fold(&f.value))
                })
                .map(|f| f.value.clone()),
        );
        keep
    }

    /// Sentences a rewrite must keep verbatim: the seeds' question and my policy, in the words
    /// the template (or I) chose.
    fn fixed_sentences(&self, skeleton: &str) -> Vec<String> {
        let statement = self
            .situation
            .policy_statement
            .as_deref()
            .map(text::fold)
            .unwrap_or_default();
        sentences(skeleton)
            .into_iter()
            .filter(|s| {
                let f = text::fold(s);
                f.contains("what in my profile prompted")
                    || f.contains("only connect")
                    || f.contains("people i've met")
                    || (!statement.is_empty() && f == statement)
            })
            .collect()
    }

    /// The verifier plus the rewrite's own duty: keep the greeting name and the cited facts.
    pub fn check_candidate(
        &self,
        kind: DraftKind,
        candidate: &str,
        must_keep: &[String],
        limit: usize,
    ) -> Verdict {
        let mut verdict = verify::verify(candidate, self.grounding_for(kind), Some(limit));
        let folded = text::fold(candidate);
        for keep in must_keep {
            if !folded.contains(&text::fold(keep)) {
                verdict.problems.push(verify::Problem::UnknownName {
                    text: format!("(dropped) {keep}"),
                });
            }
        }
        verdict
    }
}

/// Boilerplate across a set of drafts of one kind: each sentence of eight words or more (the
/// greeting set aside) with the share of drafts that contain it, most shared first. The seeds'
/// own question ("what in my profile prompted your request") may repeat and is left out.
pub fn shared_sentences<'t>(texts: impl IntoIterator<Item = &'t str>) -> Vec<(String, f32)> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut drafts = 0usize;
    for text in texts {
        drafts += 1;
        let mut seen = HashSet::new();
        for sentence in sentences(text) {
            let folded = text::fold(&sentence);
            if text::words(&folded).count() >= 8
                && !folded.contains("what in my profile prompted")
                && seen.insert(folded.clone())
            {
                *counts.entry(folded).or_default() += 1;
            }
        }
    }
    let mut shared: Vec<(String, f32)> = counts
        .into_iter()
        .map(|(s, n)| (s, n as f32 / drafts.max(1) as f32))
        .collect();
    shared.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    shared
}

/// The sentences of a draft, with a leading "Hi Dana," taken off the first.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line.trim();
        if let Some((head, tail)) = rest.split_once(", ") {
            let greeting = head.split_whitespace().count() <= 4
                && ["hi ", "hello ", "dear ", "hey "]
                    .iter()
                    .any(|g| text::fold(head).starts_with(g));
            if greeting {
                rest = tail;
            }
        }
        let mut start = 0;
        let chars: Vec<(usize, char)> = rest.char_indices().collect();
        for (i, &(pos, c)) in chars.iter().enumerate() {
            let at_end = chars.get(i + 1).is_none_or(|&(_, next)| next == ' ');
            if matches!(c, '.' | '!' | '?') && at_end {
                let end = pos + c.len_utf8();
                let s = rest[start..end].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = end;
            }
        }
        let tail = rest[start..].trim();
        if !tail.is_empty() {
            out.push(tail.to_string());
        }
    }
    out
}

/// A rewritten body without the greeting or sign-off the model may have added itself.
fn strip_frame(body: &str, frame: &assist::Frame) -> String {
    let mut body = body.trim();
    // A greeting of the model's own ("Hi,", "Hello there!") goes: the template greets.
    for own in ["hi there", "hello there", "hi", "hello", "dear", "hey"] {
        let n = own.len();
        if body.is_char_boundary(n) && body[..n].eq_ignore_ascii_case(own) {
            if let Some(rest) = body[n..].strip_prefix([',', '!', '.']) {
                body = rest.trim_start();
                break;
            }
        }
    }
    let greeting = frame.greeting.trim_end_matches(',');
    if !greeting.is_empty() {
        if let Some(rest) = body.strip_prefix(greeting) {
            body = rest.trim_start_matches([',', '!', '.']).trim_start();
        }
    }
    if let Some(sign) = &frame.sign_off {
        let flat = sign.replace('\n', " ");
        for tail in [sign.as_str(), flat.as_str()] {
            if let Some(rest) = body.strip_suffix(tail) {
                body = rest.trim_end();
            }
        }
    }
    // Continue a lower-case body after "Hi Dana," as the rule draft does; capitalise a message body.
    let mut chars = body.chars();
    match chars.next() {
        Some(first) if frame.paragraphs => first.to_uppercase().chain(chars).collect(),
        // "Hi Dana, It was…" → "Hi Dana, it was…": the body continues the greeting's line.
        _ if !frame.greeting.is_empty() => phrasing::lower_first(body),
        _ => body.to_string(),
    }
}

/// Strip the wrapping small models add: quotes, "Here is the rewritten message:" preambles,
/// trailing notes after a blank line that start with "Note".
pub fn clean_model_output(raw: &str) -> String {
    let mut text = raw.trim();
    for prefix in ["here is", "here's", "sure", "rewritten", "certainly"] {
        if text.to_lowercase().starts_with(prefix) {
            if let Some(pos) = text.find([':', '\n']) {
                text = text[pos + 1..].trim_start();
            }
        }
    }
    if let Some(pos) = text.find("\n\nNote") {
        text = &text[..pos];
    }
    let text = text.trim().trim_matches(['"', '“', '”']).trim();
    let tidy = text::tidy_paragraphs(&drop_filler(text));
    // "Hi Dana,\nGreat meeting you" joins into one line: continue the sentence in lower case.
    match tidy.split_once(", ") {
        Some((greeting, rest))
            if greeting.split_whitespace().count() <= 3 && !greeting.contains(['.', '!', '?']) =>
        {
            format!("{greeting}, {}", phrasing::lower_first(rest))
        }
        _ => tidy,
    }
}

/// Small models open with pleasantries ("I hope this message finds you well."): whole filler
/// sentences carry no fact, so they are dropped rather than costing the candidate.
fn drop_filler(text: &str) -> String {
    static FILLER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let filler = FILLER.get_or_init(|| {
        regex::Regex::new(
            r"(?i)(^|[\n.!?]\s*)(i hope (this|my) (message|note|email) finds you well|i hope (you'?re|you are|this finds you) (doing )?(well|great)|hope you'?re (doing )?well)[.!]*",
        )
        .expect("static regex")
    });
    filler.replace_all(text, "$1").to_string()
}

/// A rewrite must say mostly what the skeleton says: below this share of its content words
/// coming from the skeleton, it has drifted into content of its own.
const MIN_FIDELITY: f32 = 0.5;

/// Content words: four letters or more, folded.
fn content_words(text: &str) -> Vec<String> {
    text::words(&text::fold(text))
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_string)
        .collect()
}

/// The share of the candidate's content words that the skeleton has.
fn fidelity(candidate: &str, skeleton: &str) -> f32 {
    let skeleton_words: HashSet<String> = content_words(skeleton).into_iter().collect();
    let words = content_words(candidate);
    if words.is_empty() {
        return 0.0;
    }
    words.iter().filter(|w| skeleton_words.contains(*w)).count() as f32 / words.len() as f32
}

/// A clause of the candidate that says something the skeleton does not ("and I'm looking for a
/// new opportunity"): two or more content words, fewer than half of them from the skeleton.
fn added_clause(candidate: &str, skeleton: &str) -> Option<String> {
    let skeleton_words: HashSet<String> = content_words(skeleton).into_iter().collect();
    candidate
        .split(['.', ',', '!', '?', ';', ':', '\n', '—', '–'])
        .map(str::trim)
        .find(|clause| {
            let words = content_words(clause);
            let known = words.iter().filter(|w| skeleton_words.contains(*w)).count();
            words.len() >= 2 && known * 2 < words.len()
        })
        .map(str::to_string)
}

/// Prefer candidates that use the room without crowding the limit and differ from the skeleton.
fn naturalness(candidate: &str, skeleton: &str, limit: usize) -> f32 {
    let fill = text::char_count(candidate) as f32 / limit.max(1) as f32;
    let fill_score = 1.0 - (fill - 0.75).abs();
    let changed = if text::fold(candidate) == text::fold(skeleton) {
        0.0
    } else {
        0.2
    };
    fill_score + changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Common, Met};

    fn profile() -> Profile {
        Profile {
            name: "Dr. Anne-Marie O'Neil".into(),
            met: Some(Met {
                place: Some("DevConf Lisbon".into()),
                when: Some("May 2025".into()),
                topic: Some("data contracts".into()),
                kind: None,
            }),
            common: Common {
                connections: vec!["Ravi Patel".into(), "Lea Wu".into()],
                ..Common::default()
            },
            reason: Some("your work on data contracts is close to what my team is building".into()),
            ..Profile::default()
        }
    }

    fn me() -> Me {
        Me {
            name: Some("Sam Okafor".into()),
            ..Me::default()
        }
    }

    #[test]
    fn invite_cites_the_strongest_fact_and_fits() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let d = &drafter
            .draft(&DraftOptions::new(DraftKind::Invite), None)
            .unwrap()[0];
        assert!(d.text.starts_with("Hi Anne-Marie,"), "{}", d.text);
        assert!(d.text.contains("DevConf Lisbon"), "{}", d.text);
        assert!(d.chars <= 200, "{} chars: {}", d.chars, d.text);
        assert!(
            d.facts_used.iter().any(|f| f == "met: DevConf Lisbon"),
            "{:?}",
            d.facts_used
        );
    }

    #[test]
    fn the_note_is_read_as_the_given_classifier_reads_it() {
        let prompts = Prompts::builtin();
        let m = me();
        // "no cost to you" reads as an offer to the rules; an invitation to be a guest to a
        // classifier that knows better. The reply follows whichever reading it is given.
        let p = Profile {
            name: "Seo-yeon Park".into(),
            note: Some("I host Slow Sour, a podcast about fermentation, and would love to have you on for an episode in March, no cost to you.".into()),
            ..Profile::default()
        };
        let ask = DraftOptions::new(DraftKind::Ask);
        let by_rules = Drafter::new(&prompts, &p, &m);
        let genuine = crate::classify::Classification {
            label: crate::signals::Label::Genuine,
            confidence: 0.9,
            engine: "embed",
            reasons: vec![],
            hits: vec![],
            probabilities: [0.9, 0.05, 0.05],
        };
        let by_other = Drafter::new(&prompts, &p, &m).reading_note_as(genuine);
        let rules_text = &by_rules.draft(&ask, None).unwrap()[0].text;
        let other = &by_other.draft(&ask, None).unwrap()[0];
        assert_ne!(rules_text, &other.text);
        assert!(other.text.contains("be your guest"), "{}", other.text);
        // ...and triage's recommendation for that reading is what the warnings weigh.
        assert!(
            other.warnings.iter().any(|w| w.contains("would accept")),
            "{:?}",
            other.warnings
        );
    }

    #[test]
    fn tighter_limit_drops_clauses_not_words() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let full = &drafter
            .draft(&DraftOptions::new(DraftKind::Invite), None)
            .unwrap()[0];
        let mut opts = DraftOptions::new(DraftKind::Invite);
        opts.limit = Some(90);
        let short = &drafter.draft(&opts, None).unwrap()[0];
        assert!(short.chars <= 90, "{}", short.text);
        assert!(short.chars < full.chars);
        // Whole sentences only: the short draft ends a sentence and passes the verifier.
        assert!(
            short.text.ends_with(['.', '!', '?']) || short.text.ends_with("Sam"),
            "{}",
            short.text
        );
        assert!(verify::verify(
            &short.text,
            drafter.grounding_for(DraftKind::Invite),
            Some(90)
        )
        .passed());
    }

    #[test]
    fn impossible_limit_is_a_usage_error() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let mut opts = DraftOptions::new(DraftKind::Invite);
        opts.limit = Some(15);
        let err = Drafter::new(&prompts, &p, &m)
            .draft(&opts, None)
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("raise --limit"), "{err}");
    }

    #[test]
    fn variants_are_distinct_and_seeded() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let mut opts = DraftOptions::new(DraftKind::Followup);
        opts.variants = 3;
        opts.seed = 5;
        let a = drafter.draft(&opts, None).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().map(|d| &d.text).collect::<HashSet<_>>().len(), 3);
        assert_eq!(a, drafter.draft(&opts, None).unwrap());
    }

    struct FakeModel(Vec<&'static str>);
    impl Rewriter for FakeModel {
        fn model_name(&self) -> String {
            "fake".into()
        }
        fn rewrite(&mut self, _: &RewriteRequest<'_>) -> Result<Candidate> {
            Ok(Candidate {
                text: self.0.remove(0).to_string(),
                finished: true,
            })
        }
        fn candidates(&self) -> usize {
            self.0.len()
        }
    }

    /// Draft Anne-Marie's invite with a fake model answering `candidates`; the draft's engine
    /// and fallback reason.
    fn rewrite_outcome(candidates: Vec<&'static str>) -> (String, String) {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let mut model = FakeModel(candidates);
        let d = drafter
            .draft(&DraftOptions::new(DraftKind::Invite), Some(&mut model))
            .unwrap()
            .remove(0);
        (d.engine, d.fallback_reason.unwrap_or_default())
    }

    #[test]
    fn invented_entities_fall_back_to_the_rules() {
        let (engine, reason) = rewrite_outcome(vec![
            "Dear Priya Shah, my name is Alexei Petrov. Let's meet at DevConf Lisbon. Anne-Marie",
        ]);
        assert_eq!(engine, "rules");
        assert!(
            reason.contains("Priya") && reason.contains("Alexei"),
            "{reason}"
        );
    }

    #[test]
    fn a_rewrite_that_drifts_from_the_draft_is_rejected() {
        let (engine, reason) = rewrite_outcome(vec![
            "Hi Anne-Marie, I look forward to your visit and our lunch soon. Cheers, Sam",
        ]);
        assert_eq!(engine, "rules");
        assert!(reason.contains("drifted"), "{reason}");
    }

    #[test]
    fn a_rewrite_that_adds_a_claim_is_rejected() {
        let (engine, reason) = rewrite_outcome(vec![
            "Hi Anne-Marie, great to meet you at DevConf Lisbon, and I'm looking for a new opportunity. Sam",
        ]);
        assert_eq!(engine, "rules");
        assert!(reason.contains("looking for a new opportunity"), "{reason}");
    }

    #[test]
    fn filler_sentences_are_dropped_from_model_output() {
        assert_eq!(
            clean_model_output("Hi Dana,\nI hope this message finds you well. Great meeting you!"),
            "Hi Dana, great meeting you!"
        );
    }

    #[test]
    fn a_near_identical_rewrite_is_reported_as_the_rules() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let rule = drafter
            .skeleton(&DraftOptions::new(DraftKind::Invite), 0)
            .unwrap();
        let body = assist::Frame::split(&rule.text, m.sign_off().as_deref()).body;
        // The rule body with its full stops turned into exclamation marks.
        let echoed: &'static str = Box::leak(body.replace('.', "!").into_boxed_str());
        let mut model = FakeModel(vec![echoed, echoed]);
        let d = drafter
            .draft(&DraftOptions::new(DraftKind::Invite), Some(&mut model))
            .unwrap()
            .remove(0);
        assert_eq!(d.engine, "rules", "{}", d.text);
        assert_eq!(d.text, rule.text);
        assert!(d.rule_text.is_none() && d.edits.is_empty());
    }

    #[test]
    fn the_template_keeps_the_frame_of_a_rewrite() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let mut model = FakeModel(vec![
            "Hi Anne-Marie, it was great to meet you at DevConf Lisbon in May 2025, and your work on data contracts is close to what my team is building. I'm Sam, best.",
        ]);
        let d = &drafter
            .draft(&DraftOptions::new(DraftKind::Followup), Some(&mut model))
            .unwrap()[0];
        assert!(
            d.text.ends_with("\n\nSam") || d.text.ends_with(",\nSam"),
            "{}",
            d.text
        );
        assert!(
            d.text.starts_with("Hi Anne-Marie,\n\n") || d.text.starts_with("Hello Anne-Marie,\n\n"),
            "{}",
            d.text
        );
    }

    #[test]
    fn a_rewrite_must_keep_the_seed_question() {
        // Their request came without a note.
        let p = Profile {
            note: Some(String::new()),
            ..profile()
        };
        let (m, prompts) = (me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let rule = drafter
            .skeleton(&DraftOptions::new(DraftKind::Ask), 0)
            .unwrap();
        assert!(!drafter
            .fixed_sentences("Could you tell me what in my profile prompted your request? Thanks.")
            .is_empty());
        let mut model = FakeModel(vec![
            "I'd like to know what your network matters to me.",
            "I'd like to know what your network matters to me.",
        ]);
        let d = drafter
            .draft(&DraftOptions::new(DraftKind::Ask), Some(&mut model))
            .unwrap()
            .remove(0);
        assert_eq!(d.engine, "rules");
        assert_eq!(d.text, rule.text);
    }

    #[test]
    fn a_grounded_rewrite_wins() {
        let (p, m, prompts) = (profile(), me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        let mut model = FakeModel(vec![
            "Here is the rewritten message:\n\"Hi Anne-Marie, it was great to meet you at DevConf Lisbon! Your work on data contracts is close to what my team is building. Sam\"",
        ]);
        let d = &drafter
            .draft(&DraftOptions::new(DraftKind::Invite), Some(&mut model))
            .unwrap()[0];
        assert_eq!(d.engine, "model", "{:?}", d.fallback_reason);
        assert!(d.text.starts_with("Hi Anne-Marie"), "{}", d.text);
    }

    #[test]
    fn an_existing_connection_gets_only_a_follow_up() {
        let p = Profile {
            connected: Some(true),
            ..profile()
        };
        let (m, prompts) = (me(), Prompts::builtin());
        let drafter = Drafter::new(&prompts, &p, &m);
        for kind in [DraftKind::Invite, DraftKind::Ask, DraftKind::Decline] {
            let e = drafter.draft(&DraftOptions::new(kind), None).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("already connected"), "{e}");
        }
        let d = &drafter
            .draft(&DraftOptions::new(DraftKind::Followup), None)
            .unwrap()[0];
        assert!(d.text.contains("Anne-Marie"), "{}", d.text);
    }
}

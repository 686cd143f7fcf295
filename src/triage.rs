//! `triage`: what to do with an incoming request, from the note's class, the sender's profile
//! signals (500+ connections, a headshot, a filled-in profile, shared connections, having met)
//! and my policy. Each action comes with the reply etiquette calls for.

use crate::classify::Classification;
use crate::me::Policy;
use crate::profile::Profile;
use crate::signals::{Kind, Label};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Accept, then send the follow-up (thank-you plus a short call).
    Accept,
    /// Reply but don't accept: ask what prompted the request.
    Ask,
    /// Decline with an opening.
    Decline,
    /// A pushy pitch: decline and move on, no reply.
    Ignore,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Ask => "ask",
            Action::Decline => "decline",
            Action::Ignore => "ignore",
        }
    }

    /// The draft that goes with the action, if any.
    pub fn reply_kind(self) -> Option<crate::draft::DraftKind> {
        use crate::draft::DraftKind;
        match self {
            Action::Accept => Some(DraftKind::Followup),
            Action::Ask => Some(DraftKind::Ask),
            Action::Decline => Some(DraftKind::Decline),
            Action::Ignore => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub action: Action,
    pub reasons: Vec<String>,
    /// The action follows from a fact or from my own rule (we have met; my policy turns them
    /// away), not from a reading of their note that could be wrong.
    #[serde(skip)]
    pub firm: bool,
}

/// How the sender's profile reads, each signal for or against.
struct ProfileSignals {
    for_: Vec<String>,
    against: Vec<String>,
}

fn profile_signals(profile: &Profile, policy: &Policy) -> ProfileSignals {
    let mut s = ProfileSignals {
        for_: Vec::new(),
        against: Vec::new(),
    };
    match profile.connections {
        Some(n) if n >= policy.min_connections => s.for_.push(format!("{n} connections")),
        Some(n) => s.against.push(format!(
            "only {n} connections (policy: {})",
            policy.min_connections
        )),
        None => {}
    }
    match profile.photo {
        Some(true) => s.for_.push("has a headshot".into()),
        Some(false) => s.against.push("no headshot".into()),
        None => {}
    }
    let filled = |f: &Option<String>| f.as_deref().is_some_and(|v| !v.trim().is_empty());
    // A field that is absent is unknown (an export has no headlines); only one given as
    // empty says the profile is empty.
    let empty = |f: &Option<String>| f.as_deref().is_some_and(|v| v.trim().is_empty());
    if filled(&profile.headline) && filled(&profile.company) {
        s.for_.push("filled-in profile".into());
    } else if empty(&profile.headline) && empty(&profile.company) {
        s.against
            .push("empty profile (no headline or company)".into());
    }
    let shared = profile.common.connections.len();
    if shared > 0 {
        s.for_.push(format!(
            "{shared} shared connection{}",
            if shared == 1 { "" } else { "s" }
        ));
    }
    let c = &profile.common;
    if !(c.employers.is_empty() && c.schools.is_empty() && c.groups.is_empty()) {
        s.for_.push("shared employer, school or group".into());
    }
    if filled(&profile.referred_by) {
        s.for_.push("referred by someone I know".into());
    }
    s
}

/// From this confidence on, a reading of the note is firm ground: a note read as a pitch is
/// not accepted with a follow-up, and a specific note my policy accepts
/// (`accept_genuine_strangers`) is not declined, unless forced.
pub const FIRM_PITCH: f64 = 0.75;

/// The label replies and triage act on. A pitch for something my own reason says I need
/// ("we need a nurse from March") is an offer I want to hear. A request to hire me ("could we
/// talk about hiring you for a review") names a service and numbers, so a classifier that weighs
/// wording can read it as a pitch; unless that reading is firm, the enquiry wins.
pub fn reply_label(note: &Classification, profile: &Profile) -> Label {
    let enquiry = note.confidence < FIRM_PITCH && note.has(Kind::Enquiry);
    let scam = profile.note.as_deref().is_some_and(is_scam);
    if note.label == Label::SalesPitch && !scam && (enquiry || wants_their_offer(profile)) {
        Label::Genuine
    } else {
        note.label
    }
}

/// Whether a note offers a scam (crypto, "guaranteed returns", a chat-app link): no reply, and
/// no reason of mine makes it an offer I want.
pub fn is_scam(note: &str) -> bool {
    let folded = crate::text::fold(note);
    [
        "crypto",
        "bitcoin",
        "btc",
        "usdt",
        "forex",
        "telegram",
        "whatsapp",
        "t.me/",
        "guaranteed return",
        "guaranteed profit",
        "passive income",
        "investment opportunity",
        "daily profit",
        "trading signals",
        "wire",
        "inheritance",
    ]
    .iter()
    .any(|w| folded.contains(w))
}

/// Whether my reason for this person says I need what they offer.
pub fn wants_their_offer(profile: &Profile) -> bool {
    let Some(reason) = profile.reason.as_deref() else {
        return false;
    };
    let reason = crate::text::fold(reason);
    [
        "we need ",
        "i need ",
        "we're looking for",
        "we are looking for",
        "i'm looking for",
        "i am looking for",
        "could be useful",
        "might be useful",
        "could use ",
        "short-staffed",
        "short staffed",
        "want to hire",
        "hire them",
        "hire her",
        "hire him",
        "get a quote",
        "ask for a quote",
    ]
    .iter()
    .any(|p| reason.contains(p))
}

pub fn triage(profile: &Profile, note: &Classification, policy: &Policy) -> Decision {
    let mut reasons = vec![format!(
        "note is {} ({:.0}% confidence){}",
        note.label,
        note.confidence * 100.0,
        note.reasons
            .first()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    )];
    let label = reply_label(note, profile);
    if label != note.label {
        reasons.push(if wants_their_offer(profile) {
            "my reason says I need what they offer: an offer I want to hear".into()
        } else {
            "it asks to hire me or buy what I offer: an enquiry, not a pitch".into()
        });
    }
    let signals = profile_signals(profile, policy);
    reasons.extend(signals.for_.iter().map(|r| format!("for: {r}")));
    reasons.extend(signals.against.iter().map(|r| format!("against: {r}")));
    let met = profile.has_met();
    if met {
        reasons.push("we have met".into());
    }
    // A prior conversation makes them no stranger, though not someone I have met.
    let talked = !met && profile.talked == Some(true);
    if talked {
        reasons.push("we have exchanged messages before".into());
    }

    let mut firm = false;
    let action = if label == Label::SalesPitch {
        reasons.push("a pitch attached to a request: decline and move on".into());
        // A clear reading is firm ground; a close call may be a misread invitation.
        firm = note.confidence >= FIRM_PITCH;
        Action::Ignore
    } else if policy.require_photo && profile.photo == Some(false) && !met {
        reasons.push("policy: a headshot is required from people I have not met".into());
        firm = true;
        Action::Decline
    } else if met || talked {
        firm = true;
        Action::Accept
    } else if policy.only_met {
        reasons.push("policy: I connect only with people I have met".into());
        firm = true;
        Action::Decline
    } else if label == Label::Genuine
        && signals.against.is_empty()
        && policy.accept_genuine_strangers
    {
        reasons.push("a customized, specific note, and nothing known against the profile".into());
        // My own rule accepts such a stranger; a clear reading makes it firm (a pitch taken as
        // an enquiry or a wanted offer is my reading, not the classifier's).
        firm = label == note.label && note.confidence >= FIRM_PITCH;
        Action::Accept
    } else if label == Label::Genuine {
        reasons
            .push("a specific note, but the profile raises questions: ask before accepting".into());
        Action::Ask
    } else if signals.against.len() >= 2 && signals.for_.is_empty() {
        reasons.push("no note worth the name and a thin profile".into());
        Action::Decline
    } else if policy.ask_when_unsure {
        reasons.push("we have not met and the note gives no reason: ask what prompted it".into());
        Action::Ask
    } else {
        reasons.push("we have not met and the note gives no reason".into());
        Action::Decline
    };
    Decision {
        action,
        reasons,
        firm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify_rules;
    use crate::profile::Met;

    fn stranger() -> Profile {
        Profile {
            name: "Lee Park".into(),
            connections: Some(800),
            photo: Some(true),
            headline: Some("Buyer".into()),
            company: Some("Acme".into()),
            ..Profile::default()
        }
    }

    #[test]
    fn pitch_is_ignored() {
        let c = classify_rules(
            "We help companies like yours book 20+ meetings a month. Free trial: https://x.io/demo",
        );
        assert_eq!(
            triage(&stranger(), &c, &Policy::default()).action,
            Action::Ignore
        );
    }

    #[test]
    fn a_pitch_i_want_or_a_request_to_hire_me_is_not_ignored() {
        let pitch = classify_rules(
            "We supply registered dental nurses for practices like yours, available from March.",
        );
        assert_eq!(pitch.label, Label::SalesPitch);
        let wanted = Profile {
            reason: Some("we need a nurse to cover maternity leave".into()),
            ..stranger()
        };
        assert_eq!(reply_label(&pitch, &stranger()), Label::SalesPitch);
        assert_eq!(reply_label(&pitch, &wanted), Label::Genuine);
        assert_ne!(
            triage(&wanted, &pitch, &Policy::default()).action,
            Action::Ignore
        );
        // A request to hire me read as a pitch: the enquiry wins unless the reading is firm.
        let mut enquiry = classify_rules("Could we talk about hiring you for a pricing review?");
        assert!(enquiry.has(Kind::Enquiry));
        enquiry.label = Label::SalesPitch;
        enquiry.confidence = 0.57;
        assert_eq!(reply_label(&enquiry, &stranger()), Label::Genuine);
        enquiry.confidence = 0.9;
        assert_eq!(reply_label(&enquiry, &stranger()), Label::SalesPitch);
    }

    #[test]
    fn vague_stranger_is_asked_and_thin_profile_declined() {
        let c = classify_rules("");
        assert_eq!(
            triage(&stranger(), &c, &Policy::default()).action,
            Action::Ask
        );
        let thin = Profile {
            name: "X Y".into(),
            connections: Some(12),
            photo: Some(false),
            ..Profile::default()
        };
        assert_eq!(
            triage(&thin, &c, &Policy::default()).action,
            Action::Decline
        );
    }

    #[test]
    fn met_is_accepted_unless_pitching_and_only_met_declines_strangers() {
        let c = classify_rules("");
        let mut p = stranger();
        p.met = Some(Met {
            place: Some("DevConf".into()),
            ..Met::default()
        });
        assert_eq!(triage(&p, &c, &Policy::default()).action, Action::Accept);
        let policy = Policy {
            only_met: true,
            ..Policy::default()
        };
        let genuine = classify_rules(
            "Priya Shah suggested I reach out about your cold-chain work in Nairobi.",
        );
        assert_eq!(
            triage(&stranger(), &genuine, &policy).action,
            Action::Decline
        );
        assert_eq!(
            triage(&stranger(), &genuine, &Policy::default()).action,
            Action::Accept
        );
    }
}

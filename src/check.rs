//! `check`: lint a note I wrote before I send it. Each finding comes with a fix; the score starts
//! at 100 and loses points per finding.

use crate::signals::{self, Kind};
use crate::text;
use crate::verify::{self, GENERIC_PHRASES};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Hint,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub score: u8,
    pub chars: usize,
    pub limit: usize,
    pub findings: Vec<Finding>,
}

fn penalty(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 35,
        Severity::Warning => 15,
        Severity::Hint => 5,
    }
}

pub fn check(note: &str, limit: usize) -> Report {
    let mut findings = Vec::new();
    let mut add = |code, severity, message: String, fix: &str| {
        findings.push(Finding {
            code,
            severity,
            message,
            fix: fix.to_string(),
        })
    };
    let chars = text::char_count(note);
    let folded = text::fold(note);
    // One pass of the rule classifier gives both the signals and the verdict.
    let classification = crate::classify::classify_rules(note);
    let hits = &classification.hits;
    let has = |kind: Kind| hits.iter().any(|h| h.kind == kind);

    if has(Kind::Empty) {
        add(
            "empty",
            Severity::Error,
            "the note is empty".into(),
            "say how you know them and why you want to connect",
        );
    }
    if let Some(c) = note
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        add(
            "control_char",
            Severity::Error,
            format!("contains the control character {c:?}"),
            "retype the note or paste it as plain text",
        );
    }
    if chars > limit {
        add(
            "over_limit",
            Severity::Error,
            format!("{chars} characters, {} over the {limit}-character limit", chars - limit),
            "drop a clause or use a shorter sentence; the network will refuse the note, not trim it",
        );
    }
    if has(Kind::DefaultText) {
        add("default_text", Severity::Error, "this is LinkedIn's default invitation text".into(), "replace it with a personal note: where you met or what you share, and why you want to connect");
    }
    let placeholder_problems: Vec<String> =
        verify::verify(note, &verify::Grounding::default(), None)
            .problems
            .into_iter()
            .filter_map(|p| match p {
                verify::Problem::Placeholder { text } => Some(text),
                _ => None,
            })
            .collect();
    for text in placeholder_problems {
        add(
            "placeholder",
            Severity::Error,
            format!("leftover placeholder {text}"),
            "fill it in or remove it",
        );
    }
    let common = hits.iter().any(|h| h.kind.is_common_element()) || has(Kind::Specific);
    if !has(Kind::Empty) && !has(Kind::DefaultText) {
        if !common {
            add(
                "no_common_element",
                Severity::Warning,
                "names nothing you share: no event, referral, shared employer, school, group or piece of their work".into(),
                "mention where you met, who referred you, or something of theirs you read",
            );
        }
        if !has(Kind::Reason)
            && !has(Kind::Enquiry)
            && !has(Kind::Question)
            && !has(Kind::Role)
            && !has(Kind::Event)
            && !has(Kind::Referral)
        {
            add(
                "no_reason",
                Severity::Warning,
                "gives no reason for connecting".into(),
                "say why you want to connect and what is in it for them",
            );
        }
    }
    let pitch: Vec<&signals::Hit> = hits.iter().filter(|h| h.kind.is_pitch()).collect();
    let reads_as_pitch = classification.label == signals::Label::SalesPitch;
    if reads_as_pitch && !pitch.is_empty() {
        let what: Vec<String> = pitch.iter().map(|h| h.reason.to_string()).collect();
        add(
            "pitchy",
            Severity::Error,
            format!("reads as a sales pitch ({})", what.join("; ")),
            "leave the offer out of the invitation; build the relationship first",
        );
    }
    for (phrase, fix) in GENERIC_PHRASES {
        if verify::contains_phrase(&folded, phrase) {
            add(
                "generic_phrase",
                Severity::Warning,
                format!("generic phrase \"{phrase}\""),
                fix,
            );
        }
    }
    if has(Kind::Flattery)
        || (has(Kind::GenericNetworking) && !common && !has(Kind::Empty) && !has(Kind::DefaultText))
    {
        add(
            "generic",
            Severity::Hint,
            "generic networking or flattery that any sender could write".into(),
            "replace it with one specific detail about them",
        );
    }
    findings.sort_by_key(|f| f.severity);
    let lost: u32 = findings
        .iter()
        .map(|f| u32::from(penalty(f.severity)))
        .sum();
    // A note the network refuses cannot score as if it could be sent: over the limit it is at
    // most 35, over twice the limit 0.
    let cap = if chars > 2 * limit {
        0
    } else if chars > limit {
        35
    } else {
        100
    };
    Report {
        score: 100u32.saturating_sub(lost).min(cap) as u8,
        chars,
        limit,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(note: &str, limit: usize) -> Vec<&'static str> {
        check(note, limit).findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_good_note_scores_high() {
        let r = check("Hi Dana, great meeting you at DevConf Lisbon. Your point on data contracts stuck with me; I'd like to stay in touch as we build ours. Sam", 200);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(r.score, 100);
    }

    #[test]
    fn default_text_and_placeholder_are_errors() {
        let c = codes(
            "Hi [Name], I'd like to add you to my professional network on LinkedIn.",
            200,
        );
        assert!(
            c.contains(&"default_text") && c.contains(&"placeholder"),
            "{c:?}"
        );
        assert!(
            check(
                "I'd like to add you to my professional network on LinkedIn.",
                200
            )
            .score
                <= 65
        );
    }

    #[test]
    fn over_limit_pitch_and_generic_phrases() {
        let long = "I hope this message finds you well. We help companies like yours grow revenue 30% with our platform. ".repeat(3);
        let c = codes(&long, 200);
        for want in ["over_limit", "pitchy", "generic_phrase"] {
            assert!(c.contains(&want), "{want} missing: {c:?}");
        }
        assert_eq!(check(&long, 200).score, 0);
        // However good, a note the network refuses is not ready.
        let good = "Hi Dana, great meeting you at DevConf Lisbon; I'd value your view on sensor alerts. Sam ";
        assert_eq!(check(&good.repeat(128), 200).score, 0);
        assert!(check(&good.repeat(3)[..250], 200).score <= 35);
        let with_nul = format!("{good}\u{1}");
        assert!(codes(&with_nul, 200).contains(&"control_char"));
        assert!(check(&with_nul, 200).score <= 65);
    }

    #[test]
    fn no_reason_no_common_element() {
        let c = codes("Hello, I would love to connect with you.", 200);
        assert!(
            c.contains(&"no_common_element") && c.contains(&"no_reason"),
            "{c:?}"
        );
    }
}

//! Human-readable renderings of results. JSON output is the types' own `Serialize`.

use crate::check::Report;
use crate::classify::Classification;
use crate::draft::Draft;
use crate::triage::Decision;
use std::fmt::Write;

pub fn classification(c: &Classification) -> String {
    let mut out = format!(
        "{} ({:.0}% confidence, {} engine)\n",
        c.label,
        c.confidence * 100.0,
        c.engine
    );
    for reason in &c.reasons {
        let _ = writeln!(out, "  - {reason}");
    }
    out
}

/// `--explain`: the signals behind a label, and for the embedding classifier what pushed the note
/// to its label and the nearest labelled examples.
pub fn explanation(
    c: &Classification,
    embed: Option<&crate::embed_classifier::Explanation>,
    neighbours: &[crate::embed_classifier::Neighbour],
) -> String {
    let mut out = format!(
        "probabilities: genuine {:.2}, vague {:.2}, sales_pitch {:.2}\nsignals:\n",
        c.probabilities[0], c.probabilities[1], c.probabilities[2]
    );
    if c.hits.is_empty() {
        out.push_str("  (none)\n");
    }
    for h in &c.hits {
        let evidence = if h.evidence.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", h.evidence)
        };
        let _ = writeln!(
            out,
            "  {:+.1} {}: {}{evidence}",
            h.weight, h.label, h.reason
        );
    }
    if let Some(embed) = embed {
        push_lines(&mut out, &embed.push);
    }
    if let Some(genre) = neighbours.first().and_then(|n| n.genre.as_deref()) {
        let _ = writeln!(out, "nearest genre: {}", genre.replace('_', " "));
    }
    if !neighbours.is_empty() {
        out.push_str("nearest labelled examples:\n");
        for n in neighbours {
            let text = crate::text::one_line(&n.text, 90);
            let genre = n
                .genre
                .as_deref()
                .map(|g| format!(" [{}]", g.replace('_', " ")))
                .unwrap_or_default();
            let _ = writeln!(out, "  {:.2} {}{genre}: {text}", n.similarity, n.label);
        }
    }
    out
}

/// What pushed the embedding classifier toward its label.
fn push_lines(out: &mut String, push: &crate::embed_classifier::Push) {
    let _ = writeln!(
        out,
        "push toward {}: rules {:+.1}, wording {:+.1}, embedding {:+.1}",
        push.label, push.rules, push.wording, push.embedding
    );
    if !push.words.is_empty() {
        let words: Vec<String> = push
            .words
            .iter()
            .map(|w| format!("\"{}\" {:+.2}", w.word, w.weight))
            .collect();
        let _ = writeln!(out, "words that weighed most: {}", words.join(", "));
    }
}

fn draft_header(d: &Draft) -> String {
    let mut engine = d.engine.clone();
    if let (Some(model), "model") = (&d.model, d.engine.as_str()) {
        engine = format!("model {model}");
    }
    format!(
        "[{}, {} engine, {}/{} characters]",
        d.kind.as_str(),
        engine,
        d.chars,
        d.limit
    )
}

pub fn draft(d: &Draft) -> String {
    let mut out = format!("{}\n{}\n", draft_header(d), d.text);
    if !d.facts_used.is_empty() {
        let _ = writeln!(out, "facts used: {}", d.facts_used.join("; "));
    }
    if let Some(reason) = &d.fallback_reason {
        let _ = writeln!(out, "fallback: {reason}");
    }
    for edit in &d.edits {
        let _ = writeln!(out, "model: {edit}");
    }
    out
}

/// `draft --explain`: the rule draft the model started from beside the final text.
fn explained(d: &Draft) -> String {
    let mut out = draft(d);
    match &d.rule_text {
        Some(rule) => {
            let _ = write!(out, "rule draft (before the model):\n{rule}\n");
        }
        None => out.push_str("rule draft: the text above, unchanged\n"),
    }
    out
}

pub fn drafts(ds: &[Draft], explain: bool) -> String {
    let render = if explain { explained } else { draft };
    ds.iter().map(render).collect::<Vec<_>>().join("\n")
}

pub fn decision(d: &Decision, note: &Classification, reply: Option<&Draft>) -> String {
    let mut out = format!(
        "{} (note: {}, {:.0}%)\n",
        d.action.as_str().to_uppercase(),
        note.label,
        note.confidence * 100.0
    );
    for reason in &d.reasons {
        let _ = writeln!(out, "  - {reason}");
    }
    match reply {
        Some(reply) => {
            let _ = write!(out, "\nreply {}", draft(reply));
        }
        None => out.push_str("\nno reply: decline the request and move on\n"),
    }
    out
}

pub fn report(r: &Report) -> String {
    let mut out = format!(
        "score {}/100 ({}/{} characters)\n",
        r.score, r.chars, r.limit
    );
    if r.findings.is_empty() {
        out.push_str("  no findings: ready to send\n");
    }
    for f in &r.findings {
        let severity = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {severity}[{}]: {}\n      fix: {}",
            f.code, f.message, f.fix
        );
    }
    out
}

/// Write `data` to `path` whole or not at all (see [`nw_store::write_atomic`]).
pub fn write_atomic(path: &std::path::Path, data: &[u8]) -> crate::Result<()> {
    nw_store::write_atomic(path, data).map_err(|e| crate::Error::io(path, e))
}

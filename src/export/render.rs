//! The terminal and CSV renderings of `inbox` and `audit`. JSON is the types' own `Serialize`.

use super::audit::Audit;
use super::inbox::{Inbox, Request};
use crate::error::Result;
use std::fmt::Write;

/// Cut to `width` characters on one line, with an ellipsis when cut.
fn cell(text: &str, width: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= width {
        return one_line;
    }
    let mut out: String = one_line.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

/// The pending requests as a table (by action, newest first), a summary, and with `replies`
/// each reply under its request.
pub fn inbox_table(inbox: &Inbox, replies: bool) -> String {
    let mut out = String::new();
    if inbox.requests.is_empty() {
        out.push_str("No pending requests.\n");
    } else {
        let _ = writeln!(
            out,
            "{} {} {} {} {} NOTE",
            pad("#", 3),
            pad("ACTION", 8),
            pad("DATE", 10),
            pad("FROM", 22),
            pad("CLASS", 16)
        );
        for (i, r) in inbox.requests.iter().enumerate() {
            let note = if r.note.trim().is_empty() {
                "(no note)".to_string()
            } else {
                format!("\"{}\"", r.note.trim())
            };
            let _ = writeln!(
                out,
                "{} {} {} {} {} {}",
                pad(&(i + 1).to_string(), 3),
                pad(r.action.as_str(), 8),
                r.date.format("%Y-%m-%d"),
                pad(&cell(&r.sender, 22), 22),
                pad(
                    &format!("{} {:.0}%", r.label.as_str(), r.confidence * 100.0),
                    16
                ),
                cell(&note, 48)
            );
        }
    }
    out.push('\n');
    out.push_str(&inbox_summary(inbox));
    if replies {
        for (i, r) in inbox.requests.iter().enumerate() {
            out.push_str(&reply_block(i + 1, r));
        }
    }
    out
}

fn reply_block(number: usize, r: &Request) -> String {
    let mut out = format!("\n── {number}. {} · {} ──\n", r.sender, r.action.as_str());
    for reason in &r.action_reasons {
        let _ = writeln!(out, "  · {reason}");
    }
    match (&r.reply, &r.reply_error) {
        (Some(d), _) => {
            let _ = writeln!(out, "\n{}", d.text.trim_end());
        }
        (None, Some(e)) => {
            let _ = writeln!(out, "\n(no reply: {e})");
        }
        (None, None) => out.push_str("\n(no reply: ignore the request)\n"),
    }
    out
}

/// "11 pending: 3 genuine, 3 vague, 5 sales pitch · accept 2, ask 3, decline 1, ignore 5", and
/// an account of every row read.
pub fn inbox_summary(inbox: &Inbox) -> String {
    use crate::signals::Label;
    use crate::triage::Action;
    let count_label = |l: Label| inbox.requests.iter().filter(|r| r.label == l).count();
    let count_action = |a: Action| inbox.requests.iter().filter(|r| r.action == a).count();
    let mut out = format!(
        "{} pending: {} genuine, {} vague, {} sales pitch · accept {}, ask {}, decline {}, ignore {}\n",
        inbox.requests.len(),
        count_label(Label::Genuine),
        count_label(Label::Vague),
        count_label(Label::SalesPitch),
        count_action(Action::Accept),
        count_action(Action::Ask),
        count_action(Action::Decline),
        count_action(Action::Ignore),
    );
    let _ = writeln!(
        out,
        "{} invitation rows read: {} pending, {} already connected, {} outgoing, {} older repeats{}, {} skipped",
        inbox.rows_read,
        inbox.requests.len(),
        inbox.already_connected,
        inbox.outgoing,
        inbox.repeated,
        if inbox.too_old > 0 { format!(", {} before --since", inbox.too_old) } else { String::new() },
        inbox.skipped.len()
    );
    out
}

/// The requests as CSV, one row each.
pub fn inbox_csv(inbox: &Inbox) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "sender",
        "date",
        "profile_url",
        "note",
        "label",
        "confidence",
        "action",
        "reasons",
        "reply",
        "reply_engine",
    ];
    let row_err = |e: csv::Error| crate::Error::Usage(format!("cannot write CSV: {e}"));
    w.write_record(header).map_err(row_err)?;
    for r in &inbox.requests {
        w.write_record([
            r.sender.as_str(),
            &r.date.format("%Y-%m-%d %H:%M").to_string(),
            r.profile_url.as_deref().unwrap_or(""),
            &r.note,
            r.label.as_str(),
            &format!("{:.3}", r.confidence),
            r.action.as_str(),
            &r.action_reasons.join("; "),
            r.reply.as_ref().map_or("", |d| d.text.as_str()),
            r.reply.as_ref().map_or("", |d| d.engine.as_str()),
        ])
        .map_err(row_err)?;
    }
    w.into_inner()
        .map_err(|e| crate::Error::Usage(format!("cannot write CSV: {e}")))
}

/// The audit as a terminal report.
pub fn audit_report(a: &Audit, all: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} connections · {} messages ({} inbound, {} from LinkedIn itself left out)\n",
        a.connections, a.messages, a.inbound_messages, a.sponsored
    );
    let _ = writeln!(
        out,
        "Pitched right after connecting ({}):",
        a.pitched_after_connecting.len()
    );
    for p in &a.pitched_after_connecting {
        let _ = writeln!(
            out,
            "  {} {} — {} days after connecting on {}: \"{}\"",
            pad(&cell(&p.name, 24), 24),
            pad(&cell(&p.company, 20), 20),
            p.days_after,
            p.connected_on,
            cell(&p.first_line, 60)
        );
    }
    let _ = writeln!(
        out,
        "\nNever replies ({}): I wrote, they never answered",
        a.never_replies.len()
    );
    for n in &a.never_replies {
        let _ = writeln!(
            out,
            "  {} {} — {} message{} from me, the last on {}",
            pad(&cell(&n.name, 24), 24),
            pad(&cell(&n.company, 20), 20),
            n.messages_sent,
            if n.messages_sent == 1 { "" } else { "s" },
            n.last_sent
        );
    }
    let _ = writeln!(
        out,
        "\nSilent ({}): connected over a year, no message either way",
        a.silent.len()
    );
    let shown = if all {
        a.silent.len()
    } else {
        a.silent.len().min(10)
    };
    for s in &a.silent[..shown] {
        let _ = writeln!(
            out,
            "  {} {} — connected on {}",
            pad(&cell(&s.name, 24), 24),
            pad(&cell(&s.company, 20), 20),
            s.connected_on
        );
    }
    if shown < a.silent.len() {
        let _ = writeln!(
            out,
            "  … and {} more (--all lists them)",
            a.silent.len() - shown
        );
    }
    let _ = writeln!(out, "\nRepeat pitchers ({}):", a.repeat_pitchers.len());
    for r in &a.repeat_pitchers {
        let _ = writeln!(
            out,
            "  {} {} pitches, {} to {}{}",
            pad(&cell(&r.name, 24), 24),
            r.pitches,
            r.first,
            r.last,
            if r.connected {
                ""
            } else {
                " (not a connection)"
            }
        );
    }
    let _ = writeln!(
        out,
        "\nInbound messages per month (genuine / vague / pitch, pitch share):"
    );
    for m in &a.months {
        let _ = writeln!(
            out,
            "  {}  {:>4} / {:>4} / {:>4}  {:>3.0}%",
            m.month,
            m.genuine,
            m.vague,
            m.sales_pitch,
            m.pitch_share * 100.0
        );
    }
    let years: Vec<String> = a
        .connections_per_year
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    let _ = writeln!(out, "\nConnections per year: {}", years.join(", "));
    out
}

/// One CSV per list, by file name.
pub fn audit_csvs(a: &Audit) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let err = |e: csv::Error| crate::Error::Usage(format!("cannot write CSV: {e}"));
    a.lists()
        .into_iter()
        .map(|list| {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(list.header).map_err(err)?;
            for row in &list.rows {
                w.write_record(row).map_err(err)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| crate::Error::Usage(format!("cannot write CSV: {e}")))?;
            Ok((list.file, bytes))
        })
        .collect()
}

//! `inbox`: every pending incoming request in an export — an INCOMING invitation whose sender is
//! not yet a connection — classified, triaged under my policy, with its ready reply.
//!
//! Only what the export knows goes into the sender's profile: their name, their note, whether we
//! have exchanged messages, and which of my employers or schools their note names. Connection
//! count, headshot, headline and company stay unknown, and the policy decides what unknown means.

use super::people::{name_key, url_key};
use super::records::{self, Connection, Invitation, Message, MyProfile};
use super::Export;
use crate::classify::Classification;
use crate::draft::{Draft, DraftOptions, Drafter};
use crate::error::{Error, Result};
use crate::me::Me;
use crate::profile::Profile;
use crate::prompts::Prompts;
use crate::triage::{self, Action};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One pending request, ready to act on.
#[derive(Debug, Serialize)]
pub struct Request {
    pub sender: String,
    /// When the request was sent (ISO 8601).
    pub date: NaiveDateTime,
    pub profile_url: Option<String>,
    pub note: String,
    pub label: crate::signals::Label,
    pub confidence: f64,
    /// Why the note got its label.
    pub label_reasons: Vec<String>,
    pub action: Action,
    /// Why this action (note, profile signals, policy).
    pub action_reasons: Vec<String>,
    /// Whether we have exchanged messages before (`messages.csv`).
    pub talked_before: bool,
    /// My employers and schools their note names.
    pub mentions: Vec<String>,
    /// Their title and company as their own note gives them ("I'm a data engineer at Acme");
    /// `null` when the note does not say. Used in the reply, never as a profile signal.
    pub title_from_note: Option<String>,
    pub company_from_note: Option<String>,
    /// The reply for the action (none for `ignore`).
    pub reply: Option<Draft>,
    /// Why no reply could be written, when the action calls for one.
    pub reply_error: Option<String>,
    /// The Invitations.csv line.
    pub line: usize,
}

/// What `inbox` found: the pending requests and an account of every row read.
#[derive(Debug)]
pub struct Inbox {
    pub requests: Vec<Request>,
    /// Invitation rows read in all; rows of each file that could not be used.
    pub rows_read: usize,
    pub skipped: Vec<Error>,
    /// INCOMING requests from people already connected (accepted earlier).
    pub already_connected: usize,
    pub outgoing: usize,
    /// Older requests from a sender who sent a newer one.
    pub repeated: usize,
    /// Before `--since`.
    pub too_old: usize,
    /// Export files that are missing, and what they would have given.
    pub missing: Vec<String>,
}

pub struct InboxOptions<'a> {
    pub since: Option<NaiveDate>,
    pub prompts: &'a Prompts,
    pub me: &'a Me,
}

/// Find and answer every pending request. `classify` labels a batch of notes (rules or
/// embedding engine, as the caller chose).
pub fn inbox(
    export: &Export,
    opts: &InboxOptions,
    classify: &mut dyn FnMut(&[&str]) -> Result<Vec<Classification>>,
) -> Result<Inbox> {
    let invitations = records::invitations(export)?;
    let Some(_) = invitations.file else {
        return Err(Error::Usage(format!(
            "{}: no Invitations.csv in this export (found: {}); it holds the requests `inbox` lists",
            export.path.display(),
            list_or_none(&export.names())
        )));
    };
    let connections = records::connections(export)?;
    let messages = records::messages(export)?;
    let mine = records::my_profile(export)?;
    let mut missing = Vec::new();
    if connections.file.is_none() {
        missing.push("Connections.csv (who is already a connection: without it every incoming request counts as pending)".to_string());
    }
    if messages.file.is_none() {
        missing.push(
            "messages.csv (who I have talked with: without it everyone counts as a stranger)"
                .to_string(),
        );
    }
    if mine.employers.is_empty() && mine.schools.is_empty() {
        missing.push(
            "Positions.csv / Education.csv (my employers and schools, matched against the notes)"
                .to_string(),
        );
    }
    // Every invitation row read, used or skipped, before the other files' problems join in.
    let rows_read = invitations.read();
    let mut skipped = invitations.skipped;
    skipped.extend(connections.skipped);
    skipped.extend(messages.skipped);

    let known = Known::new(&connections.items);
    let talked = talked_with(&messages.items, mine.name.as_deref());
    let (mut already_connected, mut outgoing, mut too_old) = (0, 0, 0);
    // The newest request per sender.
    let mut latest: HashMap<String, &Invitation> = HashMap::new();
    let mut incoming = 0;
    for inv in &invitations.items {
        if !inv.incoming {
            outgoing += 1;
            continue;
        }
        if known.contains(&inv.from, &inv.inviter_url) {
            already_connected += 1;
            continue;
        }
        if opts.since.is_some_and(|since| inv.sent_at.date() < since) {
            too_old += 1;
            continue;
        }
        incoming += 1;
        let key = url_key(&inv.inviter_url)
            .or_else(|| name_key(&inv.from))
            .unwrap_or_else(|| format!("line {}", inv.line));
        match latest.get(&key) {
            Some(seen) if seen.sent_at >= inv.sent_at => {}
            _ => {
                latest.insert(key, inv);
            }
        }
    }
    let repeated = incoming - latest.len();
    let mut pending: Vec<&Invitation> = latest.into_values().collect();
    pending.sort_by_key(|inv| inv.line);

    let notes: Vec<&str> = pending.iter().map(|inv| inv.message.as_str()).collect();
    let classes = classify(&notes)?;
    // Each request is triaged and answered on its own: all cores share the work.
    use rayon::prelude::*;
    let mut requests: Vec<Request> = pending
        .into_par_iter()
        .zip(classes.into_par_iter())
        .map(|(inv, class)| answer(inv, class, &talked, &mine, opts))
        .collect();
    // By action (accept first), then newest first.
    requests.sort_by(|a, b| {
        (a.action as u8)
            .cmp(&(b.action as u8))
            .then(b.date.cmp(&a.date))
    });
    Ok(Inbox {
        requests,
        rows_read,
        skipped,
        already_connected,
        outgoing,
        repeated,
        too_old,
        missing,
    })
}

/// Triage one pending request and write its reply.
fn answer(
    inv: &Invitation,
    class: Classification,
    talked: &Known,
    mine: &MyProfile,
    opts: &InboxOptions,
) -> Request {
    let talked_before = talked.contains(&inv.from, &inv.inviter_url);
    let mentions = mentioned(&inv.message, mine);
    let profile = sender_profile(inv, talked_before);
    let mut decision = triage::triage(&profile, &class, &opts.me.policy);
    // The export has no connection count, headshot or headline: say so, and let the policy
    // decide with what is known.
    decision.reasons.push(
        "profile signals unknown (the export has no connection count, headshot or headline)".into(),
    );
    let (title_from_note, company_from_note) = self_description(&inv.message);
    // Naming my employer or school says they know of me, not that we share it: a reason
    // to read, not a profile signal.
    if !mentions.is_empty() {
        let named: Vec<String> = mentions
            .iter()
            .map(|m| {
                let what = if mine.employers.contains(m) {
                    "employer"
                } else {
                    "school"
                };
                format!("{m} (my {what})")
            })
            .collect();
        decision
            .reasons
            .insert(1, format!("their note names {}", named.join(", ")));
    }
    let (reply, reply_error) = match decision.action.reply_kind() {
        Some(kind) => {
            // What their note says of them may be quoted in the reply (it is their claim).
            let described = Profile {
                headline: title_from_note.clone(),
                company: company_from_note.clone(),
                ..profile.clone()
            };
            let drafter =
                Drafter::new(opts.prompts, &described, opts.me).reading_note_as(class.clone());
            match drafter.draft(&DraftOptions::new(kind), None) {
                Ok(mut drafts) => (Some(drafts.remove(0)), None),
                // The sender's own fields may be refused (a name holding a link, say):
                // that request gets no reply, the others still do.
                Err(e) => (None, Some(e.to_string())),
            }
        }
        None => (None, None),
    };
    Request {
        sender: inv.from.clone(),
        date: inv.sent_at,
        profile_url: (!inv.inviter_url.is_empty()).then(|| inv.inviter_url.clone()),
        note: inv.message.clone(),
        label: class.label,
        confidence: class.confidence,
        label_reasons: class.reasons,
        action: decision.action,
        action_reasons: decision.reasons,
        talked_before,
        mentions,
        title_from_note,
        company_from_note,
        reply,
        reply_error,
        line: inv.line,
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "no CSV files".into()
    } else {
        names.join(", ")
    }
}

/// The sender as the export knows them; everything else stays unknown.
fn sender_profile(inv: &Invitation, talked: bool) -> Profile {
    Profile {
        name: inv.from.clone(),
        note: Some(inv.message.clone()),
        talked: talked.then_some(true),
        ..Profile::default()
    }
}

/// "I'm a data engineer at Acme", "I work as head of sales at Nordlys AS": the title and company a
/// note gives for its writer.
fn self_description(note: &str) -> (Option<String>, Option<String>) {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"\bI(?:'m| am| work as)\s+(?:an?\s+|the\s+)?([\p{L}][\p{L}&/ -]{2,40}?)\s+(?:at|with)\s+(\p{Lu}[\p{L}\p{N}&.' -]{1,40}?)(?:[,.;!?
]|\s+(?:and|in|where|who|for)\b|$)",
        )
        .expect("static regex")
    });
    let Some(c) = re.captures(note) else {
        return (None, None);
    };
    // "Www.evil.example": a company cut at a dot that continues a host name is no company.
    if let Some(company) = c.get(2) {
        let rest = &note[company.end()..];
        if rest.starts_with('.') && rest[1..].starts_with(|ch: char| ch.is_alphanumeric()) {
            return (None, None);
        }
    }
    let clean = |m: Option<regex::Match>| {
        m.map(|m| m.as_str().trim().to_string())
            .filter(|t| !t.is_empty() && crate::untrusted::refusal(t).is_none())
    };
    (clean(c.get(1)), clean(c.get(2)))
}

/// My employers and schools that the note names (whole words, case and accents aside).
fn mentioned(note: &str, mine: &MyProfile) -> Vec<String> {
    let folded = format!(" {} ", words(note));
    mine.employers
        .iter()
        .chain(&mine.schools)
        .filter(|org| {
            let w = words(org);
            !w.is_empty() && folded.contains(&format!(" {w} "))
        })
        .cloned()
        .collect()
}

fn words(text: &str) -> String {
    crate::text::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// People known by URL and by name.
pub(crate) struct Known {
    urls: HashSet<String>,
    names: HashSet<String>,
    /// Names of entries without a URL: a URL-bearing row can only match them by name.
    names_without_url: HashSet<String>,
}

impl Known {
    pub(crate) fn new(connections: &[Connection]) -> Known {
        let mut k = Known::empty();
        for c in connections {
            k.add(&c.name(), &c.url);
        }
        k
    }

    pub(crate) fn empty() -> Known {
        Known {
            urls: HashSet::new(),
            names: HashSet::new(),
            names_without_url: HashSet::new(),
        }
    }

    pub(crate) fn add(&mut self, name: &str, url: &str) {
        let name = name_key(name);
        match url_key(url) {
            Some(u) => {
                self.urls.insert(u);
            }
            None => {
                self.names_without_url.extend(name.clone());
            }
        }
        self.names.extend(name);
    }

    /// By URL when both sides have one; else by full name.
    pub(crate) fn contains(&self, name: &str, url: &str) -> bool {
        let name = name_key(name);
        match url_key(url) {
            Some(u) => {
                self.urls.contains(&u) || name.is_some_and(|n| self.names_without_url.contains(&n))
            }
            None => name.is_some_and(|n| self.names.contains(&n)),
        }
    }
}

/// Everyone who has written to me or been written to by me, outside LinkedIn's own messages.
pub(crate) fn talked_with(messages: &[Message], me: Option<&str>) -> Known {
    let me = me.and_then(name_key);
    let mut k = Known::empty();
    let is_me = |name: &str| me.is_some() && name_key(name) == me;
    for m in messages {
        if super::people::is_linkedin_itself(&m.from) {
            continue;
        }
        if !is_me(&m.from) {
            k.add(&m.from, &m.sender_url);
        } else {
            for (i, to) in m.to.iter().enumerate() {
                k.add(to, m.recipient_urls.get(i).map_or("", String::as_str));
            }
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::self_description;

    #[test]
    fn a_note_may_say_who_its_writer_is() {
        assert_eq!(
            self_description(
                "Hi Sam, I'm a data engineer at Nordlys Freight, and we track reefers too."
            ),
            (Some("data engineer".into()), Some("Nordlys Freight".into()))
        );
        assert_eq!(
            self_description("I work as head of sales at Acme Logistics."),
            (Some("head of sales".into()), Some("Acme Logistics".into()))
        );
        assert_eq!(
            self_description("Great meeting you at DevConf!"),
            (None, None)
        );
        // A link is never taken as a company.
        assert_eq!(
            self_description("I'm a founder at Www.evil.example.").1,
            None
        );
    }
}

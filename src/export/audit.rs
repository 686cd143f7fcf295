//! `audit`: the network review the seeds recommend every 6–12 months — who pitched right after
//! connecting, who never replies, who has been silent for over a year, who pitches again and
//! again — from `Connections.csv` and `messages.csv`.

use super::people::{is_linkedin_itself, name_key, url_key};
use super::records::{self, Message};
use super::Export;
use crate::classify::Classification;
use crate::error::{Error, Result};
use crate::signals::Label;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// A pitch within this many days of connecting counts as "pitched right after connecting".
    pub pitch_days: i64,
    /// My last unanswered message must be older than this to count as "never replies".
    pub reply_days: i64,
    /// Connected at least this long ago with no message either way: "silent".
    pub silent_days: i64,
    pub today: NaiveDate,
}

impl AuditOptions {
    pub fn new(today: NaiveDate) -> AuditOptions {
        AuditOptions {
            pitch_days: 14,
            reply_days: 30,
            silent_days: 365,
            today,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Pitched {
    pub name: String,
    pub company: String,
    pub connected_on: NaiveDate,
    pub pitched_on: NaiveDate,
    pub days_after: i64,
    pub first_line: String,
}

#[derive(Debug, Serialize)]
pub struct NoReply {
    pub name: String,
    pub company: String,
    pub messages_sent: usize,
    pub last_sent: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct Silent {
    pub name: String,
    pub company: String,
    pub connected_on: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct RepeatPitcher {
    pub name: String,
    pub pitches: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub connected: bool,
}

#[derive(Debug, Serialize)]
pub struct Month {
    /// "2026-01".
    pub month: String,
    pub inbound: usize,
    pub genuine: usize,
    pub vague: usize,
    pub sales_pitch: usize,
    /// Share of inbound messages that are pitches, 0..1.
    pub pitch_share: f64,
}

#[derive(Debug, Serialize)]
pub struct Audit {
    pub pitched_after_connecting: Vec<Pitched>,
    pub never_replies: Vec<NoReply>,
    pub silent: Vec<Silent>,
    pub repeat_pitchers: Vec<RepeatPitcher>,
    pub months: Vec<Month>,
    pub connections_per_year: BTreeMap<i32, usize>,
    pub connections: usize,
    pub messages: usize,
    pub inbound_messages: usize,
    /// LinkedIn's own sponsored or system messages, left out.
    pub sponsored: usize,
    #[serde(skip)]
    pub skipped: Vec<Error>,
    #[serde(skip)]
    pub missing: Vec<String>,
}

/// Run the audit. `classify` labels a batch of inbound messages.
pub fn audit(
    export: &Export,
    opts: &AuditOptions,
    classify: &mut dyn FnMut(&[&str]) -> Result<Vec<Classification>>,
) -> Result<Audit> {
    let connections = records::connections(export)?;
    if connections.file.is_none() {
        return Err(Error::Usage(format!(
            "{}: no Connections.csv in this export (found: {}); it holds the connections `audit` reviews",
            export.path.display(),
            export.names().join(", ")
        )));
    }
    let messages = records::messages(export)?;
    let mut missing = Vec::new();
    if messages.file.is_none() {
        missing.push("messages.csv (every message: without it only `silent` can be listed, and everyone connected over a year ago is in it)".to_string());
    }
    let mine = records::my_profile(export)?;
    let me = mine
        .name
        .as_deref()
        .and_then(name_key)
        .or_else(|| most_frequent_participant(&messages.items));
    let mut skipped = connections.skipped;
    skipped.extend(messages.skipped);
    let conns = &connections.items;

    // Each connection by URL and by name.
    let mut by_url: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, c) in conns.iter().enumerate() {
        if let Some(u) = url_key(&c.url) {
            by_url.entry(u).or_insert(i);
        }
        if let Some(n) = name_key(&c.name()) {
            by_name.entry(n).or_insert(i);
        }
    }
    let find = |name: &str, url: &str| -> Option<usize> {
        url_key(url)
            .and_then(|u| by_url.get(&u).copied())
            .or_else(|| name_key(name).and_then(|n| by_name.get(&n).copied()))
    };
    let is_me = |name: &str| me.is_some() && name_key(name) == me;

    // Inbound messages (from a person other than me), classified in one batch.
    let mut sponsored = 0;
    let mut inbound: Vec<&Message> = Vec::new();
    for m in &messages.items {
        if is_linkedin_itself(&m.from) {
            sponsored += 1;
        } else if !is_me(&m.from) {
            inbound.push(m);
        }
    }
    let texts: Vec<&str> = inbound.iter().map(|m| head(&m.content, 2000)).collect();
    let classes = classify(&texts)?;

    // Per connection: first inbound message and its class, whether they ever wrote, my
    // messages to them alone, any message either way.
    #[derive(Default, Clone)]
    struct Seen {
        first_inbound: Option<(NaiveDateTime, Label, usize)>,
        wrote: bool,
        any: bool,
        mine_sent: usize,
        my_last: Option<NaiveDateTime>,
    }
    let mut seen = vec![Seen::default(); conns.len()];
    let mut pitches: HashMap<String, (String, usize, NaiveDateTime, NaiveDateTime, bool)> =
        HashMap::new();
    let mut months: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for (index, (m, class)) in inbound.iter().zip(&classes).enumerate() {
        let month = format!("{:04}-{:02}", m.date.year(), m.date.month());
        let slot = months.entry(month).or_default();
        slot[class.label as usize] += 1;
        let who = find(&m.from, &m.sender_url);
        if let Some(i) = who {
            let s = &mut seen[i];
            s.wrote = true;
            s.any = true;
            let after_connecting = m.date.date() >= conns[i].connected_on.date();
            if after_connecting && s.first_inbound.is_none_or(|(d, _, _)| m.date < d) {
                s.first_inbound = Some((m.date, class.label, index));
            }
        }
        if class.label == Label::SalesPitch {
            let key = url_key(&m.sender_url)
                .or_else(|| name_key(&m.from))
                .unwrap_or_default();
            let e =
                pitches
                    .entry(key)
                    .or_insert((m.from.clone(), 0, m.date, m.date, who.is_some()));
            e.1 += 1;
            e.2 = e.2.min(m.date);
            e.3 = e.3.max(m.date);
        }
    }
    for m in &messages.items {
        if !is_me(&m.from) {
            continue;
        }
        let recipients: Vec<Option<usize>> =
            m.to.iter()
                .enumerate()
                .map(|(i, to)| find(to, m.recipient_urls.get(i).map_or("", String::as_str)))
                .collect();
        for i in recipients.iter().flatten() {
            seen[*i].any = true;
        }
        // Only a conversation with one other person says whether *they* answered.
        if let [Some(i)] = recipients[..] {
            let s = &mut seen[i];
            s.mine_sent += 1;
            s.my_last = Some(s.my_last.map_or(m.date, |d| d.max(m.date)));
        }
    }

    let today = opts.today;
    let mut pitched_after_connecting = Vec::new();
    let mut never_replies = Vec::new();
    let mut silent = Vec::new();
    for (c, s) in conns.iter().zip(&seen) {
        if let Some((date, Label::SalesPitch, index)) = s.first_inbound {
            let days = (date.date() - c.connected_on.date()).num_days();
            if days <= opts.pitch_days {
                pitched_after_connecting.push(Pitched {
                    name: c.name(),
                    company: c.company.clone(),
                    connected_on: c.connected_on.date(),
                    pitched_on: date.date(),
                    days_after: days,
                    first_line: first_line(&inbound[index].content),
                });
            }
        }
        if !s.wrote && s.mine_sent > 0 {
            if let Some(last) = s.my_last {
                if last.date() < today - Duration::days(opts.reply_days) {
                    never_replies.push(NoReply {
                        name: c.name(),
                        company: c.company.clone(),
                        messages_sent: s.mine_sent,
                        last_sent: last.date(),
                    });
                }
            }
        }
        if !s.any && c.connected_on.date() < today - Duration::days(opts.silent_days) {
            silent.push(Silent {
                name: c.name(),
                company: c.company.clone(),
                connected_on: c.connected_on.date(),
            });
        }
    }
    pitched_after_connecting.sort_by_key(|p| std::cmp::Reverse(p.pitched_on));
    never_replies.sort_by_key(|n| n.last_sent);
    silent.sort_by_key(|s| s.connected_on);
    let mut repeat_pitchers: Vec<RepeatPitcher> = pitches
        .into_values()
        .filter(|p| p.1 >= 2)
        .map(|(name, pitches, first, last, connected)| RepeatPitcher {
            name,
            pitches,
            first: first.date(),
            last: last.date(),
            connected,
        })
        .collect();
    repeat_pitchers.sort_by(|a, b| b.pitches.cmp(&a.pitches).then(a.name.cmp(&b.name)));
    let months = months
        .into_iter()
        .map(|(month, [genuine, vague, sales_pitch])| {
            let inbound = genuine + vague + sales_pitch;
            Month {
                month,
                inbound,
                genuine,
                vague,
                sales_pitch,
                pitch_share: (sales_pitch as f64 / inbound.max(1) as f64 * 1000.0).round() / 1000.0,
            }
        })
        .collect();
    let mut connections_per_year = BTreeMap::new();
    for c in conns {
        *connections_per_year
            .entry(c.connected_on.year())
            .or_insert(0) += 1;
    }
    Ok(Audit {
        pitched_after_connecting,
        never_replies,
        silent,
        repeat_pitchers,
        months,
        connections_per_year,
        connections: conns.len(),
        messages: messages.items.len(),
        inbound_messages: inbound.len(),
        sponsored,
        skipped,
        missing,
    })
}

/// The person in the most messages, as sender or recipient: me, when `Profile.csv` is missing.
fn most_frequent_participant(messages: &[Message]) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in messages {
        for name in std::iter::once(&m.from).chain(&m.to) {
            if let Some(k) = name_key(name) {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.clone())))
        .map(|(k, _)| k)
}

fn head(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A message's first non-empty line, cut to 100 characters.
pub fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(100).collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// One list of the audit as a table: what `--csv DIR` writes as a file and `--html` shows.
pub struct List {
    /// The CSV file name.
    pub file: &'static str,
    pub title: &'static str,
    /// Column names (snake_case, as in the JSON).
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Audit {
    /// Every list, in report order, as rows of text.
    pub fn lists(&self) -> Vec<List> {
        vec![
            List {
                file: "pitched-after-connecting.csv",
                title: "Pitched right after connecting",
                header: &[
                    "name",
                    "company",
                    "connected_on",
                    "pitched_on",
                    "days_after",
                    "first_line",
                ],
                rows: self
                    .pitched_after_connecting
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.company.clone(),
                            p.connected_on.to_string(),
                            p.pitched_on.to_string(),
                            p.days_after.to_string(),
                            p.first_line.clone(),
                        ]
                    })
                    .collect(),
            },
            List {
                file: "never-replies.csv",
                title: "Never replies",
                header: &["name", "company", "messages_sent", "last_sent"],
                rows: self
                    .never_replies
                    .iter()
                    .map(|n| {
                        vec![
                            n.name.clone(),
                            n.company.clone(),
                            n.messages_sent.to_string(),
                            n.last_sent.to_string(),
                        ]
                    })
                    .collect(),
            },
            List {
                file: "silent.csv",
                title: "Silent for over a year",
                header: &["name", "company", "connected_on"],
                rows: self
                    .silent
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            s.company.clone(),
                            s.connected_on.to_string(),
                        ]
                    })
                    .collect(),
            },
            List {
                file: "repeat-pitchers.csv",
                title: "Repeat pitchers",
                header: &["name", "pitches", "first", "last", "connected"],
                rows: self
                    .repeat_pitchers
                    .iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.pitches.to_string(),
                            r.first.to_string(),
                            r.last.to_string(),
                            r.connected.to_string(),
                        ]
                    })
                    .collect(),
            },
            List {
                file: "months.csv",
                title: "Inbound messages per month",
                header: &[
                    "month",
                    "inbound",
                    "genuine",
                    "vague",
                    "sales_pitch",
                    "pitch_share",
                ],
                rows: self
                    .months
                    .iter()
                    .map(|m| {
                        vec![
                            m.month.clone(),
                            m.inbound.to_string(),
                            m.genuine.to_string(),
                            m.vague.to_string(),
                            m.sales_pitch.to_string(),
                            m.pitch_share.to_string(),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

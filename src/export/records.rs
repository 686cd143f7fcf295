//! The export's files as typed records. Every reader keeps the good rows and reports each bad
//! one (file, line, why) instead of dropping it silently or stopping at it.

use super::date;
use super::table::{Row, Table};
use super::Export;
use crate::error::{Error, Result};
use chrono::NaiveDateTime;

/// The rows of one file that could be used, and the ones that could not.
#[derive(Debug)]
pub struct Records<T> {
    pub items: Vec<T>,
    pub skipped: Vec<Error>,
    /// The file as found in the export; `None` when the export lacks it.
    pub file: Option<String>,
}

impl<T> Records<T> {
    fn missing() -> Records<T> {
        Records {
            items: Vec::new(),
            skipped: Vec::new(),
            file: None,
        }
    }

    /// Rows read: used and skipped.
    pub fn read(&self) -> usize {
        self.items.len() + self.skipped.len()
    }
}

/// One row of `Invitations.csv`.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub from: String,
    pub to: String,
    pub sent_at: NaiveDateTime,
    pub message: String,
    pub incoming: bool,
    pub inviter_url: String,
    pub invitee_url: String,
    pub line: usize,
}

/// One row of `Connections.csv`.
#[derive(Debug, Clone)]
pub struct Connection {
    pub first_name: String,
    pub last_name: String,
    pub url: String,
    pub company: String,
    pub position: String,
    pub connected_on: NaiveDateTime,
    pub line: usize,
}

impl Connection {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

/// One row of `messages.csv` (drafts left out).
#[derive(Debug, Clone)]
pub struct Message {
    pub conversation: String,
    pub from: String,
    pub sender_url: String,
    /// Recipients' names (a group conversation has several).
    pub to: Vec<String>,
    pub recipient_urls: Vec<String>,
    pub date: NaiveDateTime,
    /// The text, with HTML tags and entities removed.
    pub content: String,
    pub line: usize,
}

/// What my own files say about me.
#[derive(Debug, Clone, Default)]
pub struct MyProfile {
    pub name: Option<String>,
    pub headline: Option<String>,
    /// Current employer first, then past ones.
    pub employers: Vec<String>,
    pub schools: Vec<String>,
}

/// Read one file of the export through `parse_row`, or report it missing.
fn read_file<T>(
    export: &Export,
    name: &str,
    expected: &[&str],
    mut parse_row: impl FnMut(
        &Table,
        &Row,
    ) -> std::result::Result<Option<T>, (Option<&'static str>, String)>,
) -> Result<Records<T>> {
    let Some((source, text)) = export.read(name)? else {
        return Ok(Records::missing());
    };
    // An empty file (LinkedIn writes them for what you never used) has no rows, not an error.
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Ok(Records {
            items: Vec::new(),
            skipped: Vec::new(),
            file: Some(source.to_string()),
        });
    }
    let mut items = Vec::new();
    let mut bad = Vec::new();
    // Table::stream refuses a file without every expected column before any row.
    let table = Table::stream(
        &text,
        source.clone(),
        expected,
        |table, row| match parse_row(table, row) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err((field, why)) => bad.push(Error::input_at(
                source.clone(),
                Some(row.line),
                None,
                field.map(str::to_string),
                why,
            )),
        },
    )?;
    let mut skipped = table.skipped;
    skipped.extend(bad);
    tracing::info!(
        "{source}: {} rows used, {} skipped",
        items.len(),
        skipped.len()
    );
    skipped.sort_by_key(|e| e.line());
    Ok(Records {
        items,
        skipped,
        file: Some(source.to_string()),
    })
}

fn parse_date(
    text: &str,
    field: &'static str,
) -> std::result::Result<NaiveDateTime, (Option<&'static str>, String)> {
    if text.is_empty() {
        return Err((Some(field), "empty date".into()));
    }
    date::parse(text).ok_or_else(|| (Some(field), format!("unreadable date {text:?}")))
}

pub fn invitations(export: &Export) -> Result<Records<Invitation>> {
    let mut cols = None;
    read_file(
        export,
        "Invitations.csv",
        &["From", "Sent At", "Message", "Direction"],
        |t, row| {
            let c = *cols.get_or_insert_with(|| {
                (
                    t.column("From"),
                    t.column("To"),
                    t.column("Sent At"),
                    t.column("Message"),
                    t.column("Direction"),
                    t.column("inviterProfileUrl"),
                    t.column("inviteeProfileUrl"),
                )
            });
            let direction = row.get(c.4);
            let incoming = if direction.eq_ignore_ascii_case("INCOMING") {
                true
            } else if direction.eq_ignore_ascii_case("OUTGOING") {
                false
            } else {
                return Err((
                    Some("Direction"),
                    format!("expected INCOMING or OUTGOING, found {direction:?}"),
                ));
            };
            let message = row.get(c.3).to_string();
            if message.len() > crate::input::MAX_NOTE_BYTES {
                return Err((
                    Some("Message"),
                    "longer than the 64 KiB limit for a note".into(),
                ));
            }
            Ok(Some(Invitation {
                from: row.get(c.0).to_string(),
                to: row.get(c.1).to_string(),
                sent_at: parse_date(row.get(c.2), "Sent At")?,
                message,
                incoming,
                inviter_url: row.get(c.5).to_string(),
                invitee_url: row.get(c.6).to_string(),
                line: row.line,
            }))
        },
    )
}

pub fn connections(export: &Export) -> Result<Records<Connection>> {
    let mut cols = None;
    read_file(
        export,
        "Connections.csv",
        &["First Name", "Last Name", "Connected On"],
        |t, row| {
            let c = *cols.get_or_insert_with(|| {
                (
                    t.column("First Name"),
                    t.column("Last Name"),
                    t.column("URL"),
                    t.column("Company"),
                    t.column("Position"),
                    t.column("Connected On"),
                )
            });
            let (first_name, last_name) = (row.get(c.0).to_string(), row.get(c.1).to_string());
            if first_name.is_empty() && last_name.is_empty() {
                return Err((Some("First Name"), "no name".into()));
            }
            Ok(Some(Connection {
                first_name,
                last_name,
                url: row.get(c.2).to_string(),
                company: row.get(c.3).to_string(),
                position: row.get(c.4).to_string(),
                connected_on: parse_date(row.get(c.5), "Connected On")?,
                line: row.line,
            }))
        },
    )
}

pub fn messages(export: &Export) -> Result<Records<Message>> {
    let mut cols = None;
    read_file(
        export,
        "messages.csv",
        &["CONVERSATION ID", "FROM", "DATE", "CONTENT"],
        |t, row| {
            let c = *cols.get_or_insert_with(|| {
                (
                    t.column("CONVERSATION ID"),
                    t.column("FROM"),
                    t.column("SENDER PROFILE URL"),
                    t.column("TO"),
                    t.column("RECIPIENT PROFILE URLS"),
                    t.column("DATE"),
                    t.column("CONTENT"),
                    t.column("IS MESSAGE DRAFT"),
                )
            });
            // A draft was never sent: it is no message either way.
            let draft = row.get(c.7);
            if draft.eq_ignore_ascii_case("yes") || draft.eq_ignore_ascii_case("true") {
                return Ok(None);
            }
            let split = |s: &str| -> Vec<String> {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            };
            Ok(Some(Message {
                conversation: row.get(c.0).to_string(),
                from: row.get(c.1).to_string(),
                sender_url: row.get(c.2).to_string(),
                to: split(row.get(c.3)),
                recipient_urls: split(row.get(c.4)),
                date: parse_date(row.get(c.5), "DATE")?,
                content: strip_html(row.get(c.6)),
                line: row.line,
            }))
        },
    )
}

/// My name and headline (`Profile.csv`), employers (`Positions.csv`, current first) and schools
/// (`Education.csv`). Files the export lacks leave their part empty.
pub fn my_profile(export: &Export) -> Result<MyProfile> {
    let mut me = MyProfile::default();
    let mut cols = None;
    let profile = read_file(
        export,
        "Profile.csv",
        &["First Name", "Last Name"],
        |t, row| {
            let c = *cols.get_or_insert_with(|| {
                (
                    t.column("First Name"),
                    t.column("Last Name"),
                    t.column("Headline"),
                )
            });
            Ok(Some((
                format!("{} {}", row.get(c.0), row.get(c.1))
                    .trim()
                    .to_string(),
                row.get(c.2).to_string(),
            )))
        },
    )?;
    if let Some((name, headline)) = profile.items.into_iter().next() {
        me.name = (!name.is_empty()).then_some(name);
        me.headline = (!headline.is_empty()).then_some(headline);
    }
    let mut cols = None;
    let positions = read_file(export, "Positions.csv", &["Company Name"], |t, row| {
        let c = *cols.get_or_insert_with(|| (t.column("Company Name"), t.column("Finished On")));
        let company = row.get(c.0).to_string();
        Ok((!company.is_empty()).then(|| (company, row.get(c.1).is_empty())))
    })?;
    // Current positions (no end date) first.
    let (current, past): (Vec<_>, Vec<_>) = positions
        .items
        .into_iter()
        .partition(|(_, current)| *current);
    for (company, _) in current.into_iter().chain(past) {
        if !me.employers.contains(&company) {
            me.employers.push(company);
        }
    }
    let mut col = None;
    let education = read_file(export, "Education.csv", &["School Name"], |t, row| {
        let c = *col.get_or_insert_with(|| t.column("School Name"));
        let school = row.get(c).to_string();
        Ok((!school.is_empty()).then_some(school))
    })?;
    for school in education.items {
        if !me.schools.contains(&school) {
            me.schools.push(school);
        }
    }
    Ok(me)
}

/// Message text without its HTML: tags dropped (`<br>` and `</p>` become line breaks), the
/// common entities decoded.
pub fn strip_html(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_lowercase();
        if tag.starts_with("br") || tag == "/p" || tag == "/div" || tag == "/li" {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_reduced_to_its_text() {
        assert_eq!(
            strip_html("<p>Hi Sam,</p><p>We help &amp; grow<br>teams</p>"),
            "Hi Sam,\nWe help & grow\nteams"
        );
        assert_eq!(strip_html("plain 3 < 4"), "plain 3 < 4");
    }
}

//! The date formats of a LinkedIn export, one parser for all of them: `Sent At` in
//! Invitations.csv ("1/29/26, 2:37 PM"), `DATE` in messages.csv ("2025-06-01 14:03:22 UTC"),
//! `Connected On` in Connections.csv ("08 Feb 2026"), positions ("Mar 2019"), and ISO dates
//! (`--since 2026-01-01`).

use chrono::{NaiveDate, NaiveDateTime};

/// A date and time from the export; formats without a time get midnight.
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim().trim_end_matches(" UTC").trim();
    const DATE_TIMES: [&str; 6] = [
        "%m/%d/%y, %I:%M %p",
        "%m/%d/%Y, %I:%M %p",
        "%m/%d/%y %I:%M %p",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
    ];
    for format in DATE_TIMES {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(dt);
        }
    }
    const DATES: [&str; 6] = [
        "%d %b %Y",
        "%Y-%m-%d",
        "%m/%d/%y",
        "%m/%d/%Y",
        "%b %d, %Y",
        "%d %B %Y",
    ];
    for format in DATES {
        if let Ok(d) = NaiveDate::parse_from_str(t, format) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    // "Mar 2019", "2019": a position's month or year.
    if let Ok(d) = NaiveDate::parse_from_str(&format!("01 {t}"), "%d %b %Y") {
        return d.and_hms_opt(0, 0, 0);
    }
    if t.len() == 4 {
        if let Ok(year) = t.parse::<i32>() {
            return NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        }
    }
    None
}

/// Today, from the system clock (UTC), or `NOTEWRIGHT_TODAY` (YYYY-MM-DD) so that reports on a
/// fixed export are reproducible in tests and examples.
pub fn today() -> NaiveDate {
    std::env::var("NOTEWRIGHT_TODAY")
        .ok()
        .and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(text: &str) -> String {
        parse(text)
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn every_export_format_parses() {
        assert_eq!(ymd("1/29/26, 2:37 PM"), "2026-01-29 14:37");
        assert_eq!(ymd("12/3/25, 12:05 AM"), "2025-12-03 00:05");
        assert_eq!(ymd("2025-06-01 14:03:22 UTC"), "2025-06-01 14:03");
        assert_eq!(ymd("08 Feb 2026"), "2026-02-08 00:00");
        assert_eq!(ymd("Mar 2019"), "2019-03-01 00:00");
        assert_eq!(ymd("2026-01-01"), "2026-01-01 00:00");
        assert_eq!(ymd("2011"), "2011-01-01 00:00");
        assert_eq!(ymd("yesterday"), "");
        assert_eq!(ymd(""), "");
    }
}

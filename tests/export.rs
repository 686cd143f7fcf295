//! `inbox`, `audit` and `init` on the example export (`examples/export`, written by
//! `tests/fixtures/export/generate.py` with its labelled truth), in folder and zip form, with
//! the export's quirks and a malformed row.

mod common;

use common::{nw, write};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write as _;

fn truth() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/export/example-truth.json").unwrap(),
    )
    .unwrap()
}

fn names(values: &Value, key: &str) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            v => v[key].as_str().unwrap().to_string(),
        })
        .collect()
}

fn inbox_lines(args: &[&str]) -> Vec<Value> {
    let out = nw()
        .arg("inbox")
        .args(args)
        .args(["--engine", "rules", "--me", "examples/me.toml", "--json"])
        .env("NOTEWRIGHT_TODAY", "2026-12-01")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn audit_of(path: &str) -> Value {
    common::json_of(
        nw().args(["audit", path, "--engine", "rules", "--json"])
            .env("NOTEWRIGHT_TODAY", "2026-12-01"),
    )
}

#[test]
fn inbox_lists_exactly_the_pending_requests_with_replies() {
    let t = truth();
    let lines = inbox_lines(&["examples/export"]);
    let pending: BTreeSet<String> = lines
        .iter()
        .map(|l| l["sender"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pending, names(&t["pending"], "name"));
    for accepted in names(&t["accepted_incoming"], "name") {
        assert!(
            !pending.contains(&accepted),
            "{accepted} is already a connection"
        );
    }
    for l in &lines {
        assert_eq!(l["schema"], "notewright.inbox/1");
        assert!(l["date"].as_str().unwrap().starts_with("2026-"), "{l}");
        let action = l["action"].as_str().unwrap();
        // Every action but ignore comes with its reply, verified like any draft.
        assert_eq!(l["reply"].is_object(), action != "ignore", "{l}");
        if let Some(text) = l["reply"]["text"].as_str() {
            assert!(
                text.contains(l["sender"].as_str().unwrap().split(' ').next().unwrap()),
                "{text}"
            );
        }
    }
    // The sender I have talked with is no stranger; the pitches are ignored.
    let amara = lines.iter().find(|l| l["talked_before"] == true).unwrap();
    assert_eq!(amara["action"], "accept");
    let expected = t["pending"].as_array().unwrap();
    let pitches = expected
        .iter()
        .filter(|p| p["expected_label"] == "sales_pitch")
        .count();
    let ignored = lines.iter().filter(|l| l["action"] == "ignore").count();
    assert!(
        ignored >= pitches - 1,
        "{ignored} ignored of {pitches} pitches"
    );
}

#[test]
fn audit_lists_match_the_labelled_truth() {
    let t = truth();
    let a = audit_of("examples/export");
    assert_eq!(a["schema"], "notewright.audit/1");
    assert_eq!(
        names(&a["pitched_after_connecting"], "name"),
        names(&t["pitched_after_connecting"], "name")
    );
    assert_eq!(
        names(&a["never_replies"], "name"),
        names(&t["never_replies"], "name")
    );
    assert_eq!(names(&a["silent"], "name"), names(&t["silent"], "name"));
    let repeat: BTreeSet<(String, u64)> = a["repeat_pitchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["pitches"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64)> = t["repeat_pitchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["pitches"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(repeat, expected);
    assert_eq!(a["connections"], t["counts"]["connections"]);
    assert_eq!(a["sponsored"], t["counts"]["sponsored_rows"]);
    // The first line of the pitch, without its HTML.
    for p in a["pitched_after_connecting"].as_array().unwrap() {
        assert!(!p["first_line"].as_str().unwrap().contains('<'), "{p}");
    }
}

#[test]
fn the_zip_reads_like_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("Basic_LinkedInDataExport_12-01-2026.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for entry in std::fs::read_dir("examples/export").unwrap() {
        let path = entry.unwrap().path();
        // Names as a user's unzip tool or LinkedIn may case them.
        let name = path.file_name().unwrap().to_string_lossy().to_uppercase();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    let from_zip = inbox_lines(&[zip_path.to_str().unwrap()]);
    let from_dir = inbox_lines(&["examples/export"]);
    assert_eq!(from_zip.len(), from_dir.len());
    let a = audit_of(zip_path.to_str().unwrap());
    let b = audit_of("examples/export");
    assert_eq!(a["never_replies"], b["never_replies"]);
}

#[test]
fn a_malformed_row_is_named_counted_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("examples/export/Invitations.csv").unwrap();
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    lines.insert(2, "Eve Bad,Sam Okafor,yesterday-ish,hello,INCOMING,,");
    let joined = lines.join("\r\n");
    // Notes may span lines: the bad row's line as an editor shows it.
    let line = joined[..joined.find("Eve Bad").unwrap()]
        .matches('\n')
        .count()
        + 1;
    write(dir.path(), "Invitations.csv", joined.as_bytes());
    let out = nw()
        .args([
            "inbox",
            dir.path().to_str().unwrap(),
            "--engine",
            "rules",
            "--me",
            "examples/me.toml",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Invitations.csv:{line}: field `Sent At`: unreadable date \"yesterday-ish\""
        )),
        "{stderr}"
    );
    // The missing files are named with what they would have given; the rest still ran.
    assert!(stderr.contains("Connections.csv"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 skipped"), "{stdout}");
    assert!(!stdout.contains("Eve Bad"), "{stdout}");
}

#[test]
fn since_and_csv_output() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("pending.csv");
    let lines = inbox_lines(&[
        "examples/export",
        "--since",
        "2026-11-15",
        "--csv",
        csv_path.to_str().unwrap(),
    ]);
    assert!(!lines.is_empty());
    assert!(lines
        .iter()
        .all(|l| l["date"].as_str().unwrap() >= "2026-11-15"));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(reader.headers().unwrap().get(0), Some("sender"));
    assert_eq!(reader.records().count(), lines.len());
    nw().args(["inbox", "examples/export", "--since", "last week"])
        .assert()
        .code(2);
}

#[test]
fn init_writes_me_toml_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("me.toml");
    nw().args([
        "init",
        "--from-export",
        "examples/export",
        "--out",
        out.to_str().unwrap(),
    ])
    .assert()
    .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let t = truth();
    assert!(
        text.contains(&format!("name = \"{}\"", t["me"]["name"].as_str().unwrap())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "company = \"{}\"",
            t["me"]["current_company"].as_str().unwrap()
        )),
        "{text}"
    );
    // The file is a valid me file.
    nw().args([
        "draft",
        "followup",
        "--profile",
        "examples/dana-reyes.json",
        "--me",
        out.to_str().unwrap(),
    ])
    .assert()
    .success();
    nw().args([
        "init",
        "--from-export",
        "examples/export",
        "--out",
        out.to_str().unwrap(),
    ])
    .assert()
    .code(2)
    .stderr(predicates::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}

#[test]
fn the_html_page_holds_the_lists_and_charts_and_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("audit.html");
    nw().args([
        "audit",
        "examples/export",
        "--engine",
        "rules",
        "--html",
        page.to_str().unwrap(),
    ])
    .env("NOTEWRIGHT_TODAY", "2026-12-01")
    .assert()
    .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.to_lowercase().contains("http"),
        "the page must not reference anything outside it"
    );
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("<svg").count(), 2);
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("</table>").count()
    );
    // Every name of every list is in a table cell, escaped.
    let t = truth();
    for list in ["pitched_after_connecting", "never_replies", "silent"] {
        for name in names(&t[list], "name") {
            let escaped = name
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            assert!(
                html.contains(&format!("<td>{escaped}</td>")),
                "{list}: {name}"
            );
        }
    }
}

#[test]
fn an_empty_file_in_the_export_has_no_rows_and_stops_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("examples/export").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    // messages.csv as an export of someone who never wrote a message: 0 bytes.
    std::fs::write(dir.path().join("messages.csv"), b"").unwrap();
    let lines = inbox_lines(&[dir.path().to_str().unwrap()]);
    assert_eq!(lines.len(), names(&truth()["pending"], "name").len());
    assert!(lines.iter().all(|l| l["talked_before"] == false));
}

#[test]
fn audit_csv_writes_one_file_per_list() {
    let dir = tempfile::tempdir().unwrap();
    nw().args([
        "audit",
        "examples/export",
        "--engine",
        "rules",
        "--csv",
        dir.path().to_str().unwrap(),
    ])
    .env("NOTEWRIGHT_TODAY", "2026-12-01")
    .assert()
    .success();
    let t = truth();
    for (file, list) in [
        ("pitched-after-connecting.csv", "pitched_after_connecting"),
        ("never-replies.csv", "never_replies"),
        ("silent.csv", "silent"),
        ("repeat-pitchers.csv", "repeat_pitchers"),
    ] {
        let mut reader = csv::Reader::from_path(dir.path().join(file)).unwrap();
        assert_eq!(reader.headers().unwrap().get(0), Some("name"));
        let names: BTreeSet<String> = reader
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect();
        assert_eq!(names, names_of(&t[list]), "{file}");
    }
    assert!(dir.path().join("months.csv").is_file());
}

fn names_of(v: &Value) -> BTreeSet<String> {
    names(v, "name")
}

//! End-to-end tests of the binary: every command, its JSON shape, and bad input → exit 2 with a
//! message that names the file, position and field.

mod common;

use common::{json_of, nw, write};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn classify_argument_stdin_and_json() {
    nw().args([
        "classify",
        "--engine",
        "rules",
        "I'd like to add you to my professional network on LinkedIn.",
    ])
    .assert()
    .success()
    .stdout(predicate::str::starts_with("vague ("))
    .stdout(predicate::str::contains("default invitation text"));
    let v = json_of(nw().args(["classify", "--engine", "rules", "--json"]).write_stdin(
        "Hi Ana,\nwe help clinics like yours fill 30% more slots.\nBook a free demo: https://calendly.com/x\n",
    ));
    assert_eq!(v["label"], "sales_pitch");
    assert_eq!(v["engine"], "rules");
    let confidence = v["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence));
    assert!(!v["reasons"].as_array().unwrap().is_empty());
}

#[test]
fn classify_batch_jsonl_and_invitations_csv() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "notes.jsonl",
        b"{\"id\": \"a\", \"text\": \"\", \"extra\": true}\n{\"id\": 7, \"text\": \"Great meeting you at the Lisbon Data Summit, Dana!\"}\n",
    );
    let out = nw()
        .args(["classify", "--engine", "rules", "--input"])
        .arg(&jsonl)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["label"], "vague");
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["label"], "genuine");

    let csv = write(
        dir.path(),
        "Invitations.csv",
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n\
         \"O'Neil, Anne\",Me,\"1/29/26, 2:37 PM\",\"Hi, we help firms like yours cut costs 40%. Free audit?\",INCOMING,u,v\n\
         Me,Bob,\"1/30/26, 9:00 AM\",Hello Bob,OUTGOING,u,v\n"
            .as_bytes(),
    );
    let out = nw()
        .args(["classify", "--engine", "rules", "--input"])
        .arg(&csv)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\"sales_pitch\""), "{text}");
}

#[test]
fn draft_every_kind_on_an_example_with_json_shape() {
    for kind in ["invite", "ask", "decline", "followup"] {
        let v = json_of(nw().args([
            "draft",
            kind,
            "--profile",
            "examples/dana-reyes.json",
            "--me",
            "examples/me.toml",
            "--engine",
            "rules",
            "--json",
        ]));
        assert_eq!(v["kind"], kind);
        assert_eq!(v["engine"], "rules");
        let text = v["text"].as_str().unwrap();
        assert_eq!(v["chars"].as_u64().unwrap() as usize, text.chars().count());
        assert!(v["chars"].as_u64() <= v["limit"].as_u64());
        assert!(text.contains("Dana"), "{text}");
        assert!(v["facts_used"].is_array());
    }
}

#[test]
fn draft_variants_limit_and_tone() {
    let v = json_of(nw().args([
        "draft",
        "invite",
        "--profile",
        "examples/dana-reyes.json",
        "--limit",
        "300",
        "--variants",
        "3",
        "--seed",
        "4",
        "--tone",
        "formal",
        "--engine",
        "rules",
        "--json",
    ]));
    let drafts = v["drafts"].as_array().unwrap();
    assert_eq!(drafts.len(), 3);
    let texts: std::collections::HashSet<&str> =
        drafts.iter().map(|d| d["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 3);
    assert!(drafts
        .iter()
        .all(|d| d["limit"] == 300 && d["chars"].as_u64().unwrap() <= 300));
    nw().args([
        "draft",
        "invite",
        "--profile",
        "examples/dana-reyes.json",
        "--limit",
        "10",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("raise --limit"));
}

#[test]
fn triage_actions_and_replies() {
    let v = json_of(nw().args([
        "triage",
        "--profile",
        "examples/sam-ortiz.json",
        "--engine",
        "rules",
        "--json",
    ]));
    assert_eq!(v["action"], "ignore");
    assert_eq!(v["label"], "sales_pitch");
    assert!(v["reply"].is_null());
    let v = json_of(nw().args([
        "triage",
        "--profile",
        "examples/lee-park.json",
        "--engine",
        "rules",
        "--json",
    ]));
    assert_eq!(v["action"], "decline");
    assert_eq!(v["reply"]["kind"], "decline");
    let v = json_of(nw().args([
        "triage",
        "--profile",
        "examples/priya-shah.json",
        "--engine",
        "rules",
        "--json",
    ]));
    assert_eq!(v["action"], "accept");
    assert_eq!(v["reply"]["kind"], "followup");
    let v = json_of(nw().args([
        "triage",
        "--profile",
        "examples/dana-reyes.json",
        "--note",
        "",
        "--engine",
        "rules",
        "--json",
    ]));
    assert_eq!(v["action"], "accept", "we met Dana");
}

#[test]
fn check_scores_and_findings() {
    let v = json_of(nw().args([
        "check",
        "--json",
        "Hi [Name], I'd like to add you to my professional network on LinkedIn.",
    ]));
    assert!(v["score"].as_u64().unwrap() < 50);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"default_text") && codes.contains(&"placeholder"),
        "{codes:?}"
    );
    nw().args(["check", "Hi Dana, great meeting you at the Lisbon Data Summit. Your sensor talk stuck with me; I'd like to stay in touch as we build ours."])
        .assert()
        .success()
        .stdout(predicate::str::contains("score 100/100"));
}

#[test]
fn completions_and_help() {
    nw().args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("notewright"));
    nw().arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    nw().args(["draft", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--variants"));
}

#[test]
fn bad_input_exits_2_with_a_useful_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            write(
                dir.path(),
                "malformed.json",
                b"{\"name\": \"Dana\",\n  \"headline\": }",
            ),
            "malformed.json:2:",
        ),
        (
            write(
                dir.path(),
                "unknown.json",
                b"{\"name\": \"Dana\",\n \"referal\": \"X\"}",
            ),
            "referal",
        ),
        (
            write(
                dir.path(),
                "type.json",
                b"{\"name\": \"Dana\", \"connections\": \"many\"}",
            ),
            "field `connections`",
        ),
        (
            write(
                dir.path(),
                "nested.json",
                b"{\"name\": \"Dana\", \"met\": {\"were\": \"X\"}}",
            ),
            "were",
        ),
        (
            write(dir.path(), "utf8.json", b"{\"name\": \"Dan\xff\"}"),
            "invalid UTF-8",
        ),
        (
            write(dir.path(), "noname.json", b"{\"headline\": \"x\"}"),
            "name",
        ),
    ];
    for (path, want) in cases {
        nw().args(["draft", "invite", "--profile"])
            .arg(&path)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(want))
            .stderr(predicate::str::contains(
                path.file_name().unwrap().to_str().unwrap(),
            ));
    }
    nw().args(["draft", "invite", "--profile", "missing.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
    nw().args(["classify", "--engine", "rules"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no note given"));
    nw().args(["classify", "--engine", "rules"])
        .write_stdin(b"abc\xfe".to_vec())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<stdin>:1:4: invalid UTF-8"));
    let big = "a".repeat(10 * 1024 * 1024);
    nw().args(["classify", "--engine", "rules"])
        .write_stdin(big.clone())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at most"));
    nw().args(["check"]).write_stdin(big).assert().code(2);
    let me = write(
        dir.path(),
        "me.toml",
        b"tier = \"free\"\n[policy]\nonly_meet = true\n",
    );
    nw().args(["triage", "--profile", "examples/lee-park.json", "--me"])
        .arg(&me)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("me.toml:3:"))
        .stderr(predicate::str::contains("only_meet"));
    let bad_jsonl = write(
        dir.path(),
        "bad.jsonl",
        b"{\"text\": \"ok\"}\n{\"txt\": \"oops\"}\n",
    );
    nw().args(["classify", "--engine", "rules", "--input"])
        .arg(&bad_jsonl)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("bad.jsonl:2:"));
    nw().args(["draft", "invite"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--profile"));
    nw().args([
        "draft",
        "invite",
        "--profile",
        "examples/dana-reyes.json",
        "--tone",
        "loud",
    ])
    .assert()
    .code(2);
}

#[test]
fn prompts_override_changes_the_wording() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ask.j2",
        b"Hello {{ them.first_name }}, what prompted your request?",
    );
    let v = json_of(
        nw().args([
            "draft",
            "ask",
            "--profile",
            "examples/lee-park.json",
            "--engine",
            "rules",
            "--json",
            "--prompts",
        ])
        .arg(dir.path()),
    );
    assert_eq!(v["text"], "Hello Lee, what prompted your request?");
}

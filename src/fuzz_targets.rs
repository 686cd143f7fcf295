//! Entry points for fuzzing: each takes arbitrary bytes, feeds them to one parser of untrusted
//! input the way the CLI does, and must return without panicking whatever the bytes are.
//! `fuzz/` runs them under libFuzzer (`cargo +nightly fuzz run NAME`); `tests/mutations.rs` replays
//! their seed corpora and a fixed number of mutations on stable, in CI.

use crate::draft::{DraftKind, DraftOptions, Drafter};
use crate::error::Source;
use crate::export::{audit, inbox, Export};
use crate::me::Me;
use crate::profile::Profile;
use crate::prompts::Prompts;
use crate::verify::{self, Grounding};

/// A fuzz target: any bytes in, no panic out.
pub type Target = fn(&[u8]);

/// Every target by name, for the stable replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("profile_json", profile_json),
    ("me_toml", me_toml),
    ("batch_rows", batch_rows),
    ("export_csv", export_csv),
    ("verifier", verifier),
    ("gguf_header", gguf_header),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A profile as `--profile` reads it, then every kind of draft from it (rules engine).
pub fn profile_json(data: &[u8]) {
    let Ok(profile) = Profile::from_json(&text(data), Source::Argument("fuzz")) else {
        return;
    };
    let prompts = Prompts::builtin();
    let me = Me {
        name: Some("Sam Okafor".into()),
        ..Me::default()
    };
    let drafter = Drafter::new(&prompts, &profile, &me);
    for kind in DraftKind::ALL {
        let opts = DraftOptions {
            allow_generic: true,
            ..DraftOptions::new(kind)
        };
        let _ = drafter.draft(&opts, None);
    }
}

/// A me file as `--me` reads it (TOML, or JSON when it starts with `{`).
pub fn me_toml(data: &[u8]) {
    let _ = Me::from_text(&text(data), Source::Argument("fuzz"), false);
}

/// A batch file as `classify --input` reads it: JSONL, or an Invitations.csv.
pub fn batch_rows(data: &[u8]) {
    let t = text(data);
    let _ = crate::input::parse_batch_rows(&t, Source::Argument("fuzz"), false);
    let _ = crate::input::parse_batch_rows(&t, Source::Argument("fuzz"), true);
}

/// An export: the bytes split on NUL into Invitations.csv, Connections.csv, messages.csv and
/// Profile.csv, then `inbox` and `audit` over it with the rule classifier.
pub fn export_csv(data: &[u8]) {
    let t = text(data);
    let mut parts = t.split('\0');
    let names = [
        "Invitations.csv",
        "Connections.csv",
        "messages.csv",
        "Profile.csv",
    ];
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (*n, parts.next().unwrap_or("")))
        .collect();
    let export = Export::from_texts(&files);
    let prompts = Prompts::builtin();
    let me = Me::default();
    let mut classify = |notes: &[&str]| Ok(crate::classify::classify_rules_batch(notes));
    let opts = inbox::InboxOptions {
        since: None,
        prompts: &prompts,
        me: &me,
    };
    let _ = inbox::inbox(&export, &opts, &mut classify);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a valid date");
    let _ = audit::audit(&export, &audit::AuditOptions::new(today), &mut classify);
}

/// The verifier on any text: the first line lists the inputs (separated by `|`), the rest is
/// the draft.
pub fn verifier(data: &[u8]) {
    let t = text(data);
    let (inputs, draft) = t.split_once('\n').unwrap_or(("", &t));
    let grounding = Grounding::new(inputs.split('|'), Default::default());
    let _ = verify::verify(draft, &grounding, Some(300));
    let _ = grounding.allows_prefix(draft);
}

/// A GGUF file's header, tokenizer and chat template, as a model load reads them.
pub fn gguf_header(data: &[u8]) {
    let _ = nw_llm::inspect(data);
}

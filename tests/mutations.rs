//! Fuzz-style robustness in every CI run: each parser and the drafting pipeline get thousands of
//! mutated versions of valid inputs (bytes flipped, deleted, duplicated, spliced with hostile
//! fragments), from a fixed seed so a failure reproduces. Nothing may panic; bad input must be
//! an `Error` that names its source. The libFuzzer targets (`src/fuzz_targets.rs`, run for long
//! by `cargo +nightly fuzz run NAME` in `fuzz/`) replay their seed corpora and mutations here too,
//! on stable.

use notewright::draft::{DraftKind, DraftOptions, Drafter};
use notewright::error::Source;
use notewright::me::Me;
use notewright::profile::Profile;
use notewright::prompts::Prompts;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\n",
    "\r\n",
    "<|im_start|>",
    "{{ first_name }}",
    "[Name]",
    "http://x.example",
    "é",
    "👍",
    "Жанна",
    "null",
    "true",
    "1e999",
    "-1",
    "\"name\":",
    "\"met\":{",
    "\"note\":\"",
    ";",
    "\t",
    "Notes:\n",
    "INCOMING",
    "2/30/26, 9:99 PM",
];

/// Byte strings binary inputs (a GGUF header) tend to break on.
const BINARY_FRAGMENTS: &[&[u8]] = &[
    b"GGUF",
    b"\x03\x00\x00\x00",
    b"\xff\xff\xff\xff\xff\xff\xff\x7f",
    b"\x00\x00\x00\x00\x00\x00\x00\x00",
    b"\xff\xfe",
];

/// One mutation of `seed_text`: up to four edits.
fn mutate(rng: &mut Rng, seed_text: &str) -> String {
    String::from_utf8_lossy(&mutate_bytes(rng, seed_text.as_bytes(), &[])).into_owned()
}

/// One mutation of `seed`: up to four edits (cuts, hostile fragments, flipped bytes, repeats,
/// a splice of `other`).
fn mutate_bytes(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                bytes.splice(at..at, f.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = rng.next() as u8;
            }
            3 if !bytes.is_empty() => {
                let end = (at + rng.below(40)).min(bytes.len());
                let piece: Vec<u8> = bytes[at.min(end)..end].to_vec();
                for _ in 0..1 + rng.below(20) {
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            4 if !other.is_empty() && rng.below(2) == 0 => {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(200)).min(other.len());
                bytes.splice(at..at, other[start..end].iter().copied());
            }
            4 => {
                let f = BINARY_FRAGMENTS[rng.below(BINARY_FRAGMENTS.len())];
                bytes.splice(at..at, f.iter().copied());
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn mutated_profiles_never_panic_and_good_ones_draft_every_kind() {
    let prompts = Prompts::builtin();
    let me = Me::load(std::path::Path::new("examples/me.toml")).unwrap();
    let seeds: Vec<String> = ["dana-reyes", "priya-shah", "sam-ortiz", "jose-alvarez"]
        .iter()
        .map(|n| std::fs::read_to_string(format!("examples/{n}.json")).unwrap())
        .collect();
    let mut rng = Rng(0x5EED_0001);
    let (mut parsed, mut drafted) = (0, 0);
    for round in 0..3000 {
        let text = mutate(&mut rng, &seeds[round % seeds.len()]);
        let source = Source::File("p.json".into());
        let Ok(profile) = Profile::from_json(&text, source) else {
            continue;
        };
        parsed += 1;
        let drafter = Drafter::new(&prompts, &profile, &me);
        for kind in DraftKind::ALL {
            // Errors are fine (a field the verifier refuses, a kind that fits nobody); panics
            // and drafts that break the rules are not.
            if let Ok(drafts) = drafter.draft(&DraftOptions::new(kind), None) {
                for d in drafts {
                    assert!(d.chars <= d.limit, "{text}\n{}", d.text);
                    assert!(!d.text.contains("<|"), "{text}\n{}", d.text);
                    assert!(
                        !d.text.chars().any(|c| c.is_control() && c != '\n'),
                        "{text}\n{:?}",
                        d.text
                    );
                    drafted += 1;
                }
            }
        }
    }
    assert!(
        parsed > 100 && drafted > 100,
        "too few mutations survived parsing to test drafting: {parsed} parsed, {drafted} drafts"
    );
}

#[test]
fn mutated_batches_csvs_me_files_and_notes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = std::fs::read_to_string("data/holdout.jsonl").unwrap();
    let jsonl: String = jsonl.lines().take(20).map(|l| format!("{l}\n")).collect();
    let csv = std::fs::read_to_string("examples/export/Invitations.csv").unwrap();
    let connections = std::fs::read_to_string("examples/export/Connections.csv").unwrap();
    let me_toml = std::fs::read_to_string("examples/me.toml").unwrap();
    let mut rng = Rng(0x5EED_0002);
    for round in 0..600 {
        let batch = dir
            .path()
            .join(if round % 2 == 0 { "b.jsonl" } else { "b.csv" });
        let text = mutate(&mut rng, if round % 2 == 0 { &jsonl } else { &csv });
        std::fs::write(&batch, &text).unwrap();
        if let Err(e) = notewright::input::read_batch_rows(&batch) {
            assert!(
                e.to_string().contains("b."),
                "an error must name the file: {e}"
            );
        }
        let table = mutate(&mut rng, &connections);
        let _ = notewright::export::table::Table::parse(
            &table,
            Source::Stdin,
            &["First Name", "Connected On"],
        );
        let me_path = dir.path().join("me.toml");
        std::fs::write(&me_path, mutate(&mut rng, &me_toml)).unwrap();
        if let Err(e) = Me::load(&me_path) {
            assert!(
                e.to_string().contains("me.toml"),
                "an error must name the file: {e}"
            );
        }
        let note = mutate(&mut rng, "Hi Sam, great meeting you at the Lisbon Data Summit! Lea Wu suggested I write about calibration.");
        let _ = notewright::classify::classify_rules_batch(&[&note]);
        let _ = notewright::draft::note_claims::extract(&note, false);
        let _ = notewright::export::date::parse(&mutate(&mut rng, "1/29/26, 2:37 PM"));
        let _ = notewright::text::first_name(&mutate(&mut rng, "Dr. Takahashi Reiko, PhD"));
    }
}

/// The libFuzzer targets on stable: each replays its seed corpus (`fuzz/corpus/NAME/seed-*`) and
/// mutations of it. A panic fails the test and names the input.
#[test]
fn fuzz_targets_survive_their_seeds_and_mutations() {
    use notewright::fuzz_targets::TARGETS;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let iterations: usize = std::env::var("NOTEWRIGHT_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        let dir = std::path::Path::new("fuzz/corpus").join(name);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            })
            .collect();
        paths.sort();
        let seeds: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
        assert!(!seeds.is_empty(), "no seeds for {name}");
        let mut rng = Rng(0x5EED_0003 ^ name.len() as u64);
        let mut inputs = seeds.clone();
        inputs.push(Vec::new());
        for _ in 0..iterations {
            let seed = &seeds[rng.below(seeds.len())];
            let other = &seeds[rng.below(seeds.len())];
            inputs.push(mutate_bytes(&mut rng, seed, other));
        }
        for input in inputs {
            if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
                failures.push(format!(
                    "{name} panicked on {:?}",
                    String::from_utf8_lossy(&input[..input.len().min(400)])
                ));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

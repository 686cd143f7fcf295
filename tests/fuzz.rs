//! The fuzz targets on stable, in CI: each replays its seed corpus (`fuzz/corpus/NAME/seed-*`)
//! and a fixed number of mutations of it (byte flips, splices, cut-offs, and the tokens hostile
//! input is made of). A panic fails the test and names the input that caused it. Longer runs,
//! coverage-guided, are `cargo +nightly fuzz run NAME` (see fuzz/Cargo.toml).

use notewright::fuzz_targets::TARGETS;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Mutations per target; `NOTEWRIGHT_FUZZ_ITERS` raises it for a longer run by hand.
const ITERATIONS: usize = 1500;

/// Byte strings hostile input tends to carry.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"\"",
    b"\\u0000",
    b"\0",
    b"\x1b]0;x\x07",
    b"\r\n",
    b",",
    b";",
    b"\t",
    b"\"\"",
    b"<|im_start|>",
    b"{{ first_name }}",
    b"[Name]",
    b"http://evil.example/x",
    b"\xef\xbb\xbf",
    b"\xe2\x80\x8b",
    b"\xff\xfe",
    b"99999999999999999999",
    b"-1",
    b"1e309",
    b"null",
    b"true",
    b"GGUF",
    b"\x03\x00\x00\x00",
    b"\xff\xff\xff\xff\xff\xff\xff\x7f",
    b"Notes:\n",
    b"INCOMING",
    b"01/02/2026, 10:00 AM",
    b"\"note\": ",
    b"[policy]\n",
];

/// xorshift64*: a fixed sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            2 => data.truncate(at),
            3 if !data.is_empty() => {
                // Repeat a slice: deep nesting, long fields, many rows.
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(64)).min(data.len());
                let chunk = data[start..end].to_vec();
                for _ in 0..1 + rng.below(50) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            4 if !other.is_empty() => {
                // Splice in part of another seed.
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(200)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
        }
    }
    data
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

#[test]
fn fuzz_targets_survive_their_seeds_and_mutations() {
    let iterations = std::env::var("NOTEWRIGHT_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ITERATIONS);
    // The targets' own panics are what this looks for: keep their output quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        let seeds = seeds(name);
        assert!(!seeds.is_empty(), "no seeds for {name}");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        let mut inputs: Vec<Vec<u8>> = seeds.clone();
        inputs.push(Vec::new());
        for _ in 0..iterations {
            let seed = &seeds[rng.below(seeds.len())];
            let other = &seeds[rng.below(seeds.len())];
            inputs.push(mutate(&mut rng, seed, other));
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
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Throughput benchmark: embeds 2000 varied connection-note-like sentences and prints notes/s.
//!
//! cargo run --release -p nw-embed --example embed_bench -- MODEL_DIR [BATCH_SIZE...]
//! (MODEL_DIR defaults to $NOTEWRIGHT_TEST_EMBED_DIR.)

use std::path::PathBuf;
use std::time::Instant;

use nw_embed::Embedder;

fn notes(n: usize) -> Vec<String> {
    let greet = ["Hi", "Hello", "Hey", "Dear", "Good morning", ""];
    let names = [
        "Dana", "Priya", "Marco", "Aisha", "Tom", "Lena", "Kenji", "Sofia",
    ];
    let hooks = [
        "I enjoyed your talk at the Data Council meetup on streaming pipelines",
        "we met briefly at the logistics summit in Rotterdam",
        "I read your post about hiring junior engineers and agreed with every point",
        "our platform helps teams cut cloud costs by 30% and I'd love to show you a demo",
        "I'm expanding my network in the fintech space",
        "your article on warehouse automation was really insightful",
        "we both studied at TU Delft and work on supply-chain forecasting",
        "I noticed we share several connections in product management",
    ];
    let asks = [
        "Would love to connect.",
        "Happy to stay in touch and compare notes sometime.",
        "Do you have 15 minutes next week for a quick call?",
        "Let's connect!",
        "I'd value your perspective on scaling data teams, especially around on-call and ownership.",
        "",
    ];
    let tails = [
        "",
        " Thanks!",
        " Best, Alex",
        " Cheers 🙂",
        " Looking forward to hearing from you.",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    (0..n)
        .map(|i| {
            format!(
                "{} {}, {} (note {i}). {}{}",
                greet[next(greet.len())],
                names[next(names.len())],
                hooks[next(hooks.len())],
                asks[next(asks.len())],
                tails[next(tails.len())]
            )
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("NOTEWRIGHT_TEST_EMBED_DIR").map(PathBuf::from))
        .ok_or("usage: embed_bench MODEL_DIR [BATCH_SIZE...]")?;
    let mut sizes: Vec<usize> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    if sizes.is_empty() {
        sizes.push(nw_embed::DEFAULT_BATCH_SIZE);
    }
    let t = Instant::now();
    let mut e = Embedder::load(&dir)?;
    eprintln!(
        "load: {:.2?}, threads: {}, backend: {}",
        t.elapsed(),
        rayon::current_num_threads(),
        e.backend()
    );
    let texts = notes(2000);
    let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let toks: usize = refs
        .iter()
        .map(|t| e.token_ids(t).map(|v| v.len()).unwrap_or(0))
        .sum();
    eprintln!("2000 notes, mean {:.1} tokens", toks as f64 / 2000.0);
    e.embed(&refs[..64])?; // warm-up
    for bs in sizes {
        e = e.with_batch_size(bs);
        let t = Instant::now();
        let v = e.embed(&refs)?;
        let s = t.elapsed().as_secs_f64();
        assert_eq!(v.len(), refs.len());
        println!(
            "batch {bs:4}: {:.0} notes/s ({s:.2} s for {})",
            refs.len() as f64 / s,
            refs.len()
        );
    }
    let t = Instant::now();
    for r in &refs[..100] {
        e.embed_one(r)?;
    }
    println!(
        "embed_one: {:.0} notes/s",
        100.0 / t.elapsed().as_secs_f64()
    );
    Ok(())
}

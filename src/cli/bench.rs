//! `notewright bench`: speed figures for this machine. Not a test: it prints what it measures.

use super::args::{BenchArgs, ClassifyEngine};
use super::engines::Classifier;
use super::print;
use notewright::draft::{DraftKind, DraftOptions, Drafter, Rewriter};
use notewright::embed_classifier;
use notewright::error::{Error, Result};
use notewright::me::Me;
use notewright::model::{self, ModelRewriter};
use notewright::profile::Profile;
use notewright::prompts::Prompts;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The CPU model, what it offers (AMX / AVX-512 / AVX2), and what this binary was compiled to
/// use: candle picks its SIMD kernels at compile time, so a build for AVX2 runs AVX2 kernels even
/// on an AVX-512 machine.
fn cpu_line() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let flags: Vec<&str> = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("flags")
                .and_then(|r| r.split_once(':'))
                .map(|(_, f)| f)
        })
        .map(|f| f.split_whitespace().collect())
        .unwrap_or_default();
    let has = |f: &str| flags.contains(&f);
    let cpu: Vec<&str> = [
        ("amx_tile", "AMX"),
        ("avx512f", "AVX-512"),
        ("avx512_vnni", "VNNI"),
        ("avx2", "AVX2"),
        ("fma", "FMA"),
    ]
    .iter()
    .filter(|(f, _)| has(f))
    .map(|(_, name)| *name)
    .collect();
    let built = if cfg!(target_feature = "avx512f") {
        "AVX-512"
    } else if cfg!(target_feature = "avx2") {
        "AVX2"
    } else if cfg!(target_arch = "aarch64") {
        "NEON"
    } else {
        "scalar"
    };
    format!(
        "cpu: {model} ({}); kernels compiled for {built}",
        if cpu.is_empty() {
            "no SIMD flags read".to_string()
        } else {
            cpu.join(", ")
        }
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn example_profiles() -> Vec<Profile> {
    let Ok(entries) = std::fs::read_dir("examples") else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| Profile::load(p).ok()).collect()
}

/// Run this binary with `args` as a user would (output discarded): wall time and, on Linux, the
/// child's own peak memory (from `wait4`).
fn timed_child(args: &[&std::ffi::OsStr]) -> Result<(f64, Option<f64>)> {
    let exe = std::env::current_exe().map_err(|e| Error::io("<current exe>", e))?;
    let start = Instant::now();
    let mut child = std::process::Command::new(&exe)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Error::io(&exe, e))?;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut status = 0;
        // SAFETY: plain FFI call with out-pointers to locals; the child is ours and not yet reaped.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = child.id() as libc::pid_t;
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let seconds = start.elapsed().as_secs_f64();
        if reaped == pid {
            return Ok((seconds, Some(usage.ru_maxrss as f64 / 1024.0)));
        }
    }
    child.wait().map_err(|e| Error::io(&exe, e))?;
    Ok((start.elapsed().as_secs_f64(), None))
}

/// `inbox` and `audit` on one export with the rule classifier, each run as its own process the
/// way a user runs it (reading and parsing included).
fn export_figures(path: &std::path::Path) -> Result<String> {
    use notewright::export::{audit, date, inbox, Export};
    let mut out = String::new();
    let me = Me::default();
    let prompts = Prompts::builtin();
    // Timed first, as separate runs: a child forked from a process that holds an export would
    // count that memory in its own peak.
    let p = path.as_os_str();
    let rules = std::ffi::OsStr::new("rules");
    let (inbox_s, inbox_mb) = timed_child(&[
        "inbox".as_ref(),
        p,
        "--engine".as_ref(),
        rules,
        "--json".as_ref(),
    ])?;
    let (audit_s, audit_mb) = timed_child(&[
        "audit".as_ref(),
        p,
        "--engine".as_ref(),
        rules,
        "--json".as_ref(),
    ])?;
    // …then once in-process for the counts.
    let export = Export::open(path)?;
    let opts = inbox::InboxOptions {
        since: None,
        prompts: &prompts,
        me: &me,
    };
    let classify = |notes: &[&str]| Ok(notewright::classify::classify_rules_batch(notes));
    let pending = inbox::inbox(&export, &opts, &mut |n| classify(n))?;
    let report = audit::audit(
        &export,
        &audit::AuditOptions::new(date::today()),
        &mut |n| classify(n),
    )?;
    let mb = |m: Option<f64>| m.map_or(String::new(), |m| format!(", peak RSS {m:.0} MB"));
    let _ = writeln!(
        out,
        "export {}: {} connections, {} messages, {} invitation rows",
        path.display(),
        report.connections,
        report.messages,
        pending.rows_read
    );
    let _ = writeln!(
        out,
        "inbox (rules): {inbox_s:.2} s{}: {} pending requests, each classified, triaged and answered",
        mb(inbox_mb),
        pending.requests.len()
    );
    let _ = writeln!(
        out,
        "audit (rules): {audit_s:.2} s{}: {} inbound messages classified",
        mb(audit_mb),
        report.inbound_messages
    );
    Ok(out)
}

pub fn run(args: BenchArgs) -> Result<()> {
    if let Some(path) = &args.export {
        return print(&export_figures(path)?);
    }
    let mut out = String::new();
    let threads = args.threads.map(|t| t as usize);
    if let Some(n) = threads {
        nw_llm::set_threads(n);
    }
    let _ = writeln!(out, "threads: {}", nw_llm::effective_threads());
    let _ = writeln!(out, "{}", cpu_line());

    // Classification throughput.
    let corpus = embed_classifier::corpus();
    let notes: Vec<&str> = corpus
        .iter()
        .map(|n| n.text.as_str())
        .cycle()
        .take(args.notes)
        .collect();
    for engine in [ClassifyEngine::Rules, ClassifyEngine::Embed] {
        let t = Instant::now();
        let classifier = match Classifier::new(engine) {
            Ok(c) => {
                notewright::signals::prepare();
                c
            }
            Err(e) => {
                let _ = writeln!(out, "classify {engine:?}: skipped ({e})");
                continue;
            }
        };
        let load = t.elapsed();
        let t = Instant::now();
        let labels = classifier.classify_batch(&notes)?;
        let secs = t.elapsed().as_secs_f64();
        let _ = writeln!(
            out,
            "classify {:<5}: {} notes in {:.2} s = {:.0} notes/s (load {:.2} s)",
            classifier.name(),
            labels.len(),
            secs,
            labels.len() as f64 / secs.max(1e-9),
            load.as_secs_f64()
        );
        if engine == ClassifyEngine::Rules {
            // The rules' automata are built as text arrives, so a first batch pays for that;
            // a second batch shows the steady rate of a long run.
            let t = Instant::now();
            let labels = classifier.classify_batch(&notes)?;
            let secs = t.elapsed().as_secs_f64();
            let _ = writeln!(
                out,
                "  again, automata built: {:.2} s = {:.0} notes/s",
                secs,
                labels.len() as f64 / secs.max(1e-9),
            );
        }
    }

    // The language model.
    match model::locate(args.model.as_deref())? {
        None => {
            let _ = writeln!(out, "model: skipped ({})", model::NO_MODEL_HINT);
        }
        Some(location) => {
            let t = Instant::now();
            let mut rewriter = ModelRewriter::load(&location, threads)?;
            let load = t.elapsed();
            let report = nw_llm::bench(rewriter.chat_model(), 300, 128)
                .map_err(|e| Error::Model(e.to_string()))?;
            let _ = writeln!(
                out,
                "model {}: load {:.2} s",
                rewriter.model_name(),
                load.as_secs_f64()
            );
            let _ = writeln!(
                out,
                "  prefill: {} tokens at {:.0} tok/s; generation: {} tokens at {:.1} tok/s",
                report.prompt_tokens,
                report.prefill_tok_s,
                report.decode_tokens,
                report.decode_tok_s
            );
            let prompts = Prompts::builtin();
            let me = Me {
                name: Some("Sam Okafor".into()),
                ..Me::default()
            };
            let profiles = example_profiles();
            let mut latencies = Vec::new();
            let mut model_wins = 0;
            for _ in 0..args.rounds.max(1) {
                for profile in &profiles {
                    let drafter = Drafter::new(&prompts, profile, &me);
                    // The kind each example calls for: an invite to reach out, an ask to answer
                    // a request.
                    let kind = if profile.note.is_some() {
                        DraftKind::Ask
                    } else {
                        DraftKind::Invite
                    };
                    let t = Instant::now();
                    let draft = drafter.draft(
                        &DraftOptions {
                            // Bare example profiles are part of the latency figure too.
                            allow_generic: true,
                            ..DraftOptions::new(kind)
                        },
                        Some(&mut rewriter as &mut dyn Rewriter),
                    );
                    // No reply to a scam: that example has no latency to measure.
                    let Ok(draft) = draft else {
                        continue;
                    };
                    latencies.push(t.elapsed());
                    model_wins += usize::from(draft.first().is_some_and(|d| d.engine == "model"));
                }
            }
            latencies.sort();
            let _ = writeln!(
                out,
                "  draft --engine model (invite, or ask for a request) over {} example drafts: p50 {:.2} s, p95 {:.2} s; engine: model (the model chose or rewrote the text) in {model_wins}",
                latencies.len(),
                percentile(&latencies, 50.0).as_secs_f64(),
                percentile(&latencies, 95.0).as_secs_f64()
            );
        }
    }
    if let Some(rss) = peak_rss_mb() {
        let _ = writeln!(out, "peak RSS: {rss:.0} MB");
    }
    print(&out)
}

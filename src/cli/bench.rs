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
use serde::Serialize;
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
#[derive(Serialize)]
struct Cpu {
    model: String,
    features: Vec<&'static str>,
    kernels: &'static str,
}

impl Cpu {
    fn read() -> Cpu {
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
        let features = [
            ("amx_tile", "AMX"),
            ("avx512f", "AVX-512"),
            ("avx512_vnni", "VNNI"),
            ("avx2", "AVX2"),
            ("fma", "FMA"),
        ]
        .iter()
        .filter(|(f, _)| flags.contains(f))
        .map(|(_, name)| *name)
        .collect();
        let kernels = if cfg!(target_feature = "avx512f") {
            "AVX-512"
        } else if cfg!(target_feature = "avx2") {
            "AVX2"
        } else if cfg!(target_arch = "aarch64") {
            "NEON"
        } else {
            "scalar"
        };
        Cpu {
            model,
            features,
            kernels,
        }
    }
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cpu: {} ({}); kernels compiled for {}",
            self.model,
            if self.features.is_empty() {
                "no SIMD flags read".to_string()
            } else {
                self.features.join(", ")
            },
            self.kernels
        )
    }
}

/// Every figure of a run, for `--json`.
#[derive(Serialize)]
struct Figures {
    schema: &'static str,
    commit: Option<String>,
    cpu: Cpu,
    threads: usize,
    classify: Vec<ClassifyFigures>,
    model: Option<ModelFigures>,
    peak_rss_mb: Option<f64>,
}

#[derive(Serialize)]
struct ClassifyFigures {
    engine: &'static str,
    notes: usize,
    notes_per_s: f64,
    load_s: f64,
    /// The rules again, their automata built: the rate of a long run.
    again_notes_per_s: Option<f64>,
}

#[derive(Serialize)]
struct ModelFigures {
    name: String,
    load_s: f64,
    prefill_tokens: usize,
    prefill_tok_s: f64,
    decode_tokens: usize,
    decode_tok_s: f64,
    drafts: usize,
    draft_p50_s: f64,
    draft_p95_s: f64,
    /// Drafts whose text the model chose or rewrote.
    model_engine: usize,
    /// Whole `draft` processes, start to text, with the model.
    cold_draft: Option<ColdDraft>,
}

#[derive(Serialize)]
struct ColdDraft {
    runs: usize,
    p50_s: f64,
    peak_rss_mb: Option<f64>,
}

/// The commit of the checkout the bench runs in, when it runs in one.
fn commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !commit.is_empty()).then_some(commit)
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
            if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
                return Err(failed_child(args));
            }
            return Ok((seconds, Some(usage.ru_maxrss as f64 / 1024.0)));
        }
    }
    let status = child.wait().map_err(|e| Error::io(&exe, e))?;
    if !status.success() {
        return Err(failed_child(args));
    }
    Ok((start.elapsed().as_secs_f64(), None))
}

/// A timed run that failed has no figure to give.
fn failed_child(args: &[&std::ffi::OsStr]) -> Error {
    let command: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Error::Bench(format!(
        "`notewright {}` failed; run it by hand to see why",
        command.join(" ")
    ))
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
    let mut figures = Figures {
        schema: "notewright.bench/1",
        commit: commit(),
        cpu: Cpu::read(),
        threads: nw_llm::effective_threads(),
        classify: Vec::new(),
        model: None,
        peak_rss_mb: None,
    };
    let _ = writeln!(out, "threads: {}", figures.threads);
    let _ = writeln!(out, "{}", figures.cpu);

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
        let load = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let labels = classifier.classify_batch(&notes)?;
        let secs = t.elapsed().as_secs_f64();
        let rate = labels.len() as f64 / secs.max(1e-9);
        let _ = writeln!(
            out,
            "classify {:<5}: {} notes in {secs:.2} s = {rate:.0} notes/s (load {load:.2} s)",
            classifier.name(),
            labels.len(),
        );
        // The rules' automata are built as text arrives, so a first batch pays for that; a
        // second batch shows the steady rate of a long run.
        let again = if engine == ClassifyEngine::Rules {
            let t = Instant::now();
            let labels = classifier.classify_batch(&notes)?;
            let secs = t.elapsed().as_secs_f64();
            let rate = labels.len() as f64 / secs.max(1e-9);
            let _ = writeln!(
                out,
                "  again, automata built: {secs:.2} s = {rate:.0} notes/s"
            );
            Some(rate)
        } else {
            None
        };
        figures.classify.push(ClassifyFigures {
            engine: classifier.name(),
            notes: labels.len(),
            notes_per_s: rate,
            load_s: load,
            again_notes_per_s: again,
        });
    }

    // The language model.
    match model::locate(args.model.as_deref())? {
        None => {
            let _ = writeln!(out, "model: skipped ({})", model::NO_MODEL_HINT);
        }
        Some(location) => {
            let t = Instant::now();
            let mut rewriter = ModelRewriter::load(&location, threads)?;
            let load = t.elapsed().as_secs_f64();
            let report = nw_llm::bench(rewriter.chat_model(), 300, 128)
                .map_err(|e| Error::Model(e.to_string()))?;
            let _ = writeln!(out, "model {}: load {load:.2} s", rewriter.model_name(),);
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
            let (p50, p95) = (
                percentile(&latencies, 50.0).as_secs_f64(),
                percentile(&latencies, 95.0).as_secs_f64(),
            );
            let _ = writeln!(
                out,
                "  draft --engine model (invite, or ask for a request) over {} example drafts: p50 {p50:.2} s, p95 {p95:.2} s; engine: model (the model chose or rewrote the text) in {model_wins}",
                latencies.len(),
            );
            let cold_draft = cold_draft(args.model.as_deref(), threads)?;
            if let Some(cold) = &cold_draft {
                let _ = writeln!(
                    out,
                    "  whole process, `draft invite --engine model` on an example, {} runs: p50 {:.2} s{}",
                    cold.runs,
                    cold.p50_s,
                    cold.peak_rss_mb
                        .map_or(String::new(), |m| format!(", peak RSS {m:.0} MB"))
                );
            }
            figures.model = Some(ModelFigures {
                name: rewriter.model_name().to_string(),
                load_s: load,
                prefill_tokens: report.prompt_tokens,
                prefill_tok_s: report.prefill_tok_s,
                decode_tokens: report.decode_tokens,
                decode_tok_s: report.decode_tok_s,
                drafts: latencies.len(),
                draft_p50_s: p50,
                draft_p95_s: p95,
                model_engine: model_wins,
                cold_draft,
            });
        }
    }
    figures.peak_rss_mb = peak_rss_mb();
    if let Some(rss) = figures.peak_rss_mb {
        let _ = writeln!(out, "peak RSS: {rss:.0} MB");
    }
    if args.json {
        let json = serde_json::to_string_pretty(&figures)
            .map_err(|e| Error::Bench(format!("figures as JSON: {e}")))?;
        return print(&(json + "\n"));
    }
    print(&out)
}

/// `draft invite --engine model` as a user runs it, several times: process start to text,
/// loading and all. `None` when there is no example profile to draft from.
fn cold_draft(
    model: Option<&std::path::Path>,
    threads: Option<usize>,
) -> Result<Option<ColdDraft>> {
    let Some(profile) = ["examples/dana-reyes.json"]
        .iter()
        .map(std::path::Path::new)
        .find(|p| p.exists())
    else {
        return Ok(None);
    };
    let threads = threads.map(|t| t.to_string());
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "draft".as_ref(),
        "invite".as_ref(),
        "--profile".as_ref(),
        profile.as_os_str(),
        "--engine".as_ref(),
        "model".as_ref(),
    ];
    if let Some(model) = model {
        args.extend::<[&std::ffi::OsStr; 2]>(["--model".as_ref(), model.as_os_str()]);
    }
    if let Some(t) = &threads {
        args.extend::<[&std::ffi::OsStr; 2]>(["--threads".as_ref(), t.as_ref()]);
    }
    let runs = 5;
    let mut times = Vec::with_capacity(runs);
    let mut peak: Option<f64> = None;
    for _ in 0..runs {
        let (secs, mb) = timed_child(&args)?;
        times.push(Duration::from_secs_f64(secs));
        peak = match (peak, mb) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    times.sort();
    Ok(Some(ColdDraft {
        runs,
        p50_s: percentile(&times, 50.0).as_secs_f64(),
        peak_rss_mb: peak,
    }))
}

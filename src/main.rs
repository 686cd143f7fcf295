//! notewright's command-line entry point: parse, run, map errors to exit codes
//! (0 ok, 2 bad input or usage, 1 anything else).

mod cli;

use clap::Parser;
use std::io::Write;

fn main() {
    let parsed = cli::args::Cli::try_parse();
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap uses 2 for usage errors and 0 for --help / --version.
            std::process::exit(e.exit_code());
        }
    };
    if let Err(err) = cli::run(cli) {
        // A closed stdout (`| head -1`) is a normal end: no message, exit 0.
        if !err.is_broken_pipe() {
            // Not `eprintln!`, which panics when stderr itself cannot be written.
            let _ = writeln!(std::io::stderr(), "notewright: {err}");
        }
        std::process::exit(err.exit_code());
    }
}

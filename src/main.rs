//! notewright's command-line entry point: parse, run, map errors to exit codes
//! (0 ok, 2 bad input or usage, 1 anything else).

mod cli;

use clap::Parser;

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
        eprintln!("notewright: {err}");
        std::process::exit(err.exit_code());
    }
}

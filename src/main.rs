//! The `portico` binary: parses the command line and runs it.

use clap::Parser;

fn main() {
    let cli = portico::cli::Cli::parse();
    std::process::exit(portico::cli::run(cli));
}

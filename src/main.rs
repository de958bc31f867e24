//! The `portico` binary: parses the command line and runs it.

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Internal: a previous site removed after the build that replaced it has exited.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() == 3 && args[1] == portico::cli::REMOVE_COMMAND {
        let code = i32::from(portico::write::remove_leftover(std::path::Path::new(&args[2])).is_err());
        std::process::exit(code);
    }
    let cli = portico::cli::Cli::parse();
    std::process::exit(portico::cli::run(cli));
}

//! The `chatr` binary: parse the command line, start logging, hand over to [`chatr::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = chatr::cli::args::Cli::parse();
    chatr::telemetry::init();
    chatr::cli::main(cli)
}

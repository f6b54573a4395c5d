//! The `sro-api` binary: parse the command line, start logging, hand over to the CLI.

use clap::Parser;

fn main() -> std::process::ExitCode {
    sro_api::logging::init();
    let outcome = sro_api::cli::run(sro_api::cli::Cli::parse());
    sro_api::logging::flush();
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sro-api: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

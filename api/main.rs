//! The `sro-api` binary: parse the command line, start logging, hand over to the CLI.

use clap::Parser;

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match sro_api::cli::run(sro_api::cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sro-api: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! The command line: serve | migrate | clients create | import schools | openapi | demo.

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::pool::Manager;
use crate::db::{migrate, Backend, DbConn};
use crate::domain::access::{parse_scopes, Role, Scope};
use crate::domain::client::NewClient;
use crate::domain::context::Context;
use crate::domain::import;
use crate::domain::school::Outcome;
use crate::error::AppError;
use crate::{server, service};

/// sro-api: the School Resource Officer program's integration API.
#[derive(Debug, Parser)]
#[command(name = "sro-api", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the API on BIND_ADDR.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage API clients.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load the demo data set (real Ottawa schools, fictional records) into an empty database.
    Demo,
    /// Run one retention pass (API.md §7): seal the persons past `retain_until`, destroy those
    /// sealed RETENTION_GRACE_DAYS ago; prints counts and ids.
    Purge {
        /// Print what would be sealed and destroyed; change nothing (the run is still recorded).
        #[arg(long)]
        dry_run: bool,
    },
}

/// `clients` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Create a client; prints {"client_id", "client_secret", ...} once.
    Create {
        /// Human name of the integration.
        #[arg(long)]
        name: String,
        /// admin, officer, board, agency or dashboard.
        #[arg(long)]
        role: String,
        /// Board code (OCDSB) or id, for a board client.
        #[arg(long)]
        board: Option<String>,
        /// Agency id, for an agency client.
        #[arg(long)]
        agency: Option<String>,
        /// Officer id, for an officer client.
        #[arg(long)]
        officer: Option<String>,
        /// Space-separated scopes (default: the role's full set).
        #[arg(long)]
        scopes: Option<String>,
    },
}

/// `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import schools from a CSV file (or a .json array); all or nothing.
    Schools {
        /// The file.
        file: std::path::PathBuf,
    },
}

/// Runs the command; the error is the message to print.
pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            print!("{}", crate::openapi::render());
            Ok(())
        }
        Command::Demo => {
            let mut conn = connect()?;
            migrate::run_pending(&mut conn)?;
            if let Some(held) = crate::demo::records_held(&mut conn).map_err(describe)? {
                return Err(format!(
                    "the database already holds records ({held}); `sro-api demo` loads only into an empty database"
                ));
            }
            eprintln!("loading the demo data set (a few seconds)...");
            let summary = crate::demo::load(&mut conn).map_err(describe)?;
            println!("{}", serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Serve => {
            let config = Config::from_env()?;
            actix_web::rt::System::new().block_on(server::serve(config))
        }
        Command::Purge { dry_run } => {
            let config = Config::from_env()?;
            let mut conn = connect()?;
            migrate::run_pending(&mut conn)?;
            let ctx = crate::domain::context::Context::system("purge");
            let report = service::retention::pass_exclusive(&mut conn, &ctx, config.retention(), dry_run)
                .map_err(describe)?
                .ok_or("another instance is running a retention pass; nothing done")?;
            let out = serde_json::json!({
                "run": report.run,
                "sealed": report.sealed,
                "destroyed": report.destroyed,
                "held": report.held,
                "errors": report.errors,
            });
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Migrate => {
            let mut conn = connect()?;
            let applied = migrate::run_pending(&mut conn)?;
            eprintln!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Clients { command: ClientsCommand::Create { name, role, board, agency, officer, scopes } } => {
            let mut conn = connect()?;
            migrate::run_pending(&mut conn)?;
            let role: Role = role.parse().map_err(|e| format!("--role {e}"))?;
            let board_id = match board {
                Some(b) => {
                    Some(service::boards::resolve(&mut conn, &b).map_err(|_| format!("--board: no board `{b}`"))?)
                }
                None => None,
            };
            let id = |flag: &str, v: Option<String>| -> Result<Option<uuid::Uuid>, String> {
                v.map(|s| uuid::Uuid::parse_str(&s).map_err(|_| format!("{flag} must be a UUID"))).transpose()
            };
            let scopes: Option<Vec<Scope>> =
                scopes.map(|s| parse_scopes(&s)).transpose().map_err(|e| format!("--scopes: {e}"))?;
            let input = NewClient {
                name,
                role,
                board_id,
                agency_id: id("--agency", agency)?,
                officer_id: id("--officer", officer)?,
                scopes,
            };
            if let Some((field, message)) = input.binding_errors().into_iter().next() {
                return Err(format!("{field} {message}"));
            }
            let created = service::clients::create(&mut conn, &cli_context(), input).map_err(describe)?;
            println!("{}", serde_json::to_string_pretty(&created).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Import { command: ImportCommand::Schools { file } } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let rows = if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
                let value = crate::domain::json::parse_strict(&bytes).map_err(|e| match e {
                    crate::domain::json::JsonError::Syntax { line, column } => {
                        format!("{}: not JSON (line {line}, column {column})", file.display())
                    }
                    crate::domain::json::JsonError::DuplicateKey(path) => {
                        format!("{}: the key {path} appears more than once", file.display())
                    }
                })?;
                import::json_rows(value)
            } else {
                import::csv_rows(&bytes)
            }
            .map_err(|errors| describe(AppError::Validation(errors)))?;
            let mut conn = connect()?;
            migrate::run_pending(&mut conn)?;
            let result = service::import::run(&mut conn, &cli_context(), rows).map_err(describe)?;
            let count = |r: Outcome| result.data.iter().filter(|row| row.result == r).count();
            eprintln!(
                "{} created, {} updated, {} unchanged",
                count(Outcome::Created),
                count(Outcome::Updated),
                count(Outcome::Unchanged)
            );
            Ok(())
        }
    }
}

/// The CLI acts as the unit itself; its audit events carry this request id.
fn cli_context() -> Context {
    Context::system(format!("cli-{}", uuid::Uuid::now_v7()))
}

fn connect() -> Result<DbConn, String> {
    let config = Config::from_env()?;
    let backend = Backend::from_url(&config.database_url)?;
    Manager::new(backend).open().map_err(|e| format!("cannot open the database: {e}"))
}

/// A readable message for a failed CLI operation, every bad field on its own line.
fn describe(err: AppError) -> String {
    match err {
        AppError::Validation(errors) => {
            let lines: Vec<String> = errors.iter().map(|e| format!("  {}: {}", e.field, e.message)).collect();
            format!("rejected, nothing written:\n{}", lines.join("\n"))
        }
        other => other.to_string(),
    }
}

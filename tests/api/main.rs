//! The black-box HTTP suite. It runs on SQLite by default and on PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`; every test owns its database.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "test harness: a failed set-up should panic")]

mod support;

mod architecture;
mod assignments;
mod audit;
mod auth;
mod boards;
mod changes;
mod cli;
mod clients;
mod conventions;
mod demo;
mod disclosures;
mod document;
mod failures;
mod faults;
mod feed;
mod idempotency;
mod import;
mod incidents;
mod languages;
mod limits;
mod matrix;
mod migrations;
mod officers;
mod operations;
mod outcomes;
mod records;
mod referrals;
mod retention;
mod schools;
mod stats;
mod webhooks;
mod wire_level;

//! sro-api: the integration API of the School Resource Officer program.
//!
//! Layers, with dependencies pointing one way: `routes` (HTTP) -> `service` (use-cases, one
//! transaction each) -> `db` (Diesel over SQLite or PostgreSQL); `domain` holds pure types and
//! rules used by all; `auth` issues and verifies tokens; `demo` loads the demo data set through
//! the services.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod push;
pub mod routes;
pub mod server;
pub mod service;
pub mod state;

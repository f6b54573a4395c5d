//! HTTP plumbing shared by all routes: request ids and the access log, body and query
//! extraction that defers its errors until authorisation has run, and response helpers.

pub mod blocking;
pub mod body;
pub mod idempotency;
pub mod lang;
pub mod methods;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod respond;

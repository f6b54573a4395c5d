//! Authentication: signing keys, JWT access tokens, client secrets and the extractor that
//! turns a bearer token into a [`crate::domain::access::Caller`].

pub mod credentials;
pub mod keys;
pub mod principal;
pub mod revocation;
pub mod token;
pub mod verified;

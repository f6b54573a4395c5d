//! The generated signing key kept in the database, so that tokens survive a restart and every
//! instance on one database agrees (used only when `JWT_SIGNING_KEY` is not set).

use diesel::prelude::*;

use crate::db::rows::SigningKeyRow;
use crate::db::schema::signing_keys;
use crate::db::DbConn;
use crate::domain::time;

const NAME: &str = "default";

/// Loads the stored key, storing a new one made by `generate` if there is none yet.
pub fn load_or_create(conn: &mut DbConn, generate: impl FnOnce() -> Result<String, String>) -> Result<String, String> {
    let find = |conn: &mut DbConn| {
        signing_keys::table
            .find(NAME)
            .select(signing_keys::private_pem)
            .first::<String>(conn)
            .optional()
            .map_err(|e| e.to_string())
    };
    if let Some(pem) = find(conn)? {
        return Ok(pem);
    }
    let row = SigningKeyRow { name: NAME.into(), private_pem: generate()?, created_at: time::now() };
    // Two instances starting together may both try: the loser reads the winner's key.
    match diesel::insert_into(signing_keys::table).values(&row).execute(conn) {
        Ok(_) => Ok(row.private_pem),
        Err(_) => find(conn)?.ok_or_else(|| "could not store the signing key".to_string()),
    }
}

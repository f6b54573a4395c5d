//! Client secrets: random, shown once, stored only as Argon2id hashes (pure computation).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A new random secret (256 bits, base64url).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Argon2id with 7 MiB and 5 passes: one of OWASP's equivalent settings to the crate default
/// (19 MiB, 2 passes), chosen for the smaller memory: a token request's hash is the largest
/// allocation the service makes, and it sets the process's peak RSS. (Secrets are 256 random
/// bits anyway; stored hashes keep their own settings, so older ones still verify.)
fn hasher() -> Argon2<'static> {
    match argon2::Params::new(7 * 1024, 5, 1, None) {
        Ok(params) => Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

/// The slow salted hash stored for a secret.
pub fn hash(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// True when `secret` matches the stored hash.
pub fn verify(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| hasher().verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Spends the time a real verification would, so unknown client ids are not revealed by timing.
pub fn verify_dummy(secret: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(stored) = DUMMY.get_or_init(|| hash("dummy-secret").unwrap_or_default()).get(..) {
        let _ = verify(secret, stored);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_secret_verifies_against_its_hash_only() {
        let secret = super::generate();
        let stored = super::hash(&secret).unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(super::verify(&secret, &stored));
        assert!(!super::verify("wrong", &stored));
    }
}

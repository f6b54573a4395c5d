//! Signing keys: the current ES256 private key, older public keys still accepted during a
//! rotation, their RFC 7638 thumbprints (`kid`) and the JWKS document.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use p256::{PublicKey, SecretKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// One public key as published at `/.well-known/jwks.json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwk {
    /// Always `EC`.
    pub kty: &'static str,
    /// Always `P-256`.
    pub crv: &'static str,
    /// X coordinate, base64url.
    pub x: String,
    /// Y coordinate, base64url.
    pub y: String,
    /// The key's RFC 7638 thumbprint.
    pub kid: String,
    /// Always `ES256`.
    pub alg: &'static str,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
}

/// A JSON Web Key Set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwks {
    /// The keys tokens may be signed with: the current one first.
    pub keys: Vec<Jwk>,
}

/// The keys of one process.
pub struct KeyRing {
    kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    jwks: Jwks,
}

impl KeyRing {
    /// Builds the ring from the current private key and older public keys (PEM text).
    pub fn new(private_pem: &str, previous_public_pems: &[String]) -> Result<KeyRing, String> {
        let secret = parse_private(private_pem)?;
        let public = secret.public_key();
        let pkcs8 = secret.to_pkcs8_pem(LineEnding::LF).map_err(|e| format!("signing key: {e}"))?;
        let encoding = EncodingKey::from_ec_pem(pkcs8.as_bytes()).map_err(|e| format!("signing key: {e}"))?;
        let mut ring = KeyRing { kid: String::new(), encoding, decoding: HashMap::new(), jwks: Jwks { keys: vec![] } };
        ring.kid = ring.add_public(&public)?;
        for key in check_public_keys(previous_public_pems)? {
            ring.add_public(&key)?;
        }
        Ok(ring)
    }

    fn add_public(&mut self, key: &PublicKey) -> Result<String, String> {
        let point = key.to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("public key has no coordinates".into());
        };
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        let kid = thumbprint(&x, &y);
        let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|e| e.to_string())?;
        self.decoding.insert(kid.clone(), decoding);
        self.jwks.keys.push(Jwk { kty: "EC", crv: "P-256", x, y, kid: kid.clone(), alg: "ES256", use_: "sig" });
        Ok(kid)
    }

    /// The `kid` of the current signing key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The current signing key.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The verification key for a `kid`, current or previous.
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.decoding.get(kid)
    }

    /// The public keys.
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }
}

/// Reads `JWT_PREVIOUS_KEYS` entries as P-256 public keys, naming the first bad one.
pub fn check_public_keys(pems: &[String]) -> Result<Vec<PublicKey>, String> {
    pems.iter()
        .enumerate()
        .map(|(i, pem)| {
            PublicKey::from_public_key_pem(pem.trim())
                .map_err(|_| format!("JWT_PREVIOUS_KEYS entry {}: not a P-256 public key in PEM form", i + 1))
        })
        .collect()
}

/// RFC 7638 thumbprint of a P-256 key: SHA-256 of its canonical JWK, base64url.
pub fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A new random P-256 private key as PKCS#8 PEM.
pub fn generate_private_pem() -> Result<String, String> {
    let secret = SecretKey::random(&mut rand::rngs::OsRng);
    secret.to_pkcs8_pem(LineEnding::LF).map(|pem| pem.to_string()).map_err(|e| e.to_string())
}

fn parse_private(pem: &str) -> Result<SecretKey, String> {
    // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key itself.
    let pem = match pem.find("-----BEGIN EC PRIVATE KEY-----") {
        Some(start) => &pem[start..],
        None => pem,
    }
    .trim();
    SecretKey::from_pkcs8_pem(pem)
        .or_else(|_| SecretKey::from_sec1_pem(pem))
        .map_err(|_| "JWT_SIGNING_KEY is not a P-256 (ES256) private key in PEM form".to_string())
}

/// The public half of a private key, as PEM (to hand to `JWT_PREVIOUS_KEYS` when rotating).
pub fn public_pem(private_pem: &str) -> Result<String, String> {
    use p256::pkcs8::EncodePublicKey;
    parse_private(private_pem)?.public_key().to_public_key_pem(LineEnding::LF).map_err(|e| e.to_string())
}

/// Reads a setting that is either PEM text or a path to a PEM file.
pub fn pem_or_path(value: &str) -> Result<String, String> {
    if value.contains("-----BEGIN") {
        Ok(value.replace("\\n", "\n"))
    } else {
        std::fs::read_to_string(value.trim()).map_err(|e| format!("cannot read key file {}: {e}", value.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kid_is_the_rfc7638_thumbprint_and_previous_keys_verify() {
        let old = generate_private_pem().unwrap();
        let new = generate_private_pem().unwrap();
        let ring = KeyRing::new(&new, &[public_pem(&old).unwrap()]).unwrap();
        assert_eq!(ring.jwks().keys.len(), 2);
        let first = &ring.jwks().keys[0];
        assert_eq!(ring.kid(), thumbprint(&first.x, &first.y));
        assert_eq!(ring.kid().len(), 43);
        let old_ring = KeyRing::new(&old, &[]).unwrap();
        assert!(ring.decoding_key(old_ring.kid()).is_some());
    }

    #[test]
    fn keys_are_read_from_files_and_from_openssl_sec1_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        let pkcs8 = generate_private_pem().unwrap();
        std::fs::write(&path, &pkcs8).unwrap();
        let from_file = pem_or_path(path.to_str().unwrap()).unwrap();
        assert_eq!(KeyRing::new(&from_file, &[]).unwrap().kid(), KeyRing::new(&pkcs8, &[]).unwrap().kid());
        let secret = SecretKey::from_pkcs8_pem(&pkcs8).unwrap();
        let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap();
        let with_params =
            format!("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}", sec1.as_str());
        assert_eq!(KeyRing::new(&with_params, &[]).unwrap().kid(), KeyRing::new(&pkcs8, &[]).unwrap().kid());
        let escaped = pkcs8.replace('\n', "\\n");
        assert!(KeyRing::new(&pem_or_path(&escaped).unwrap(), &[]).is_ok(), "a PEM with literal \\n in an env var");
        assert!(pem_or_path("/no/such/key.pem").unwrap_err().contains("/no/such/key.pem"));
    }

    #[test]
    fn a_non_p256_key_is_refused_clearly() {
        let err = KeyRing::new("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", &[]).err().unwrap();
        assert!(err.contains("JWT_SIGNING_KEY"));
    }
}

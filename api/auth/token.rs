//! JWT access tokens: claims, issuing and verification (ES256 only, 30 s of clock skew).

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::KeyRing;
use crate::domain::access::{parse_scopes, scopes_to_string, Caller, Role};

/// Most clock skew tolerated between instances and clients.
pub const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer (`JWT_ISSUER`).
    pub iss: String,
    /// The client id.
    pub sub: String,
    /// Audience (`JWT_AUDIENCE`).
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, seconds since the epoch (optional; honoured with the same skew as `exp`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nbf: Option<i64>,
    /// Unique token id.
    pub jti: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The client's role.
    pub role: String,
    /// Binding of a board client.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub board_id: Option<String>,
    /// Binding of an officer client.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub officer_id: Option<String>,
    /// Binding of an agency client.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub agency_id: Option<String>,
}

/// Issuer and audience the service signs and expects.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: String,
    /// Lifetime in seconds.
    pub ttl_seconds: i64,
}

/// Signs a token for `caller`; returns the token and its expiry.
pub fn issue(keys: &KeyRing, settings: &TokenSettings, caller: &Caller) -> Result<(String, i64), String> {
    let now = chrono::Utc::now().timestamp();
    let exp = now + settings.ttl_seconds;
    let claims = Claims {
        iss: settings.issuer.clone(),
        sub: caller.client_id.to_string(),
        aud: settings.audience.clone(),
        exp,
        iat: now,
        nbf: None,
        jti: Uuid::now_v7().to_string(),
        scope: scopes_to_string(&caller.scopes),
        role: caller.role.to_string(),
        board_id: caller.board_id.map(|id| id.to_string()),
        officer_id: caller.officer_id.map(|id| id.to_string()),
        agency_id: caller.agency_id.map(|id| id.to_string()),
    };
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(keys.kid().to_owned());
    jsonwebtoken::encode(&header, &claims, keys.encoding_key()).map(|token| (token, exp)).map_err(|e| e.to_string())
}

/// Verifies a token and returns who it speaks for and when it expires; the error says why not
/// (for the log: callers only learn that the token is invalid).
pub fn verify(keys: &KeyRing, settings: &TokenSettings, token: &str) -> Result<(Caller, i64), String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("bad header: {e}"))?;
    if header.alg != Algorithm::ES256 {
        return Err("algorithm not accepted".into());
    }
    let kid = header.kid.ok_or("no kid")?;
    let key = keys.decoding_key(&kid).ok_or("unknown kid")?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_audience(&[&settings.audience]);
    validation.set_issuer(&[&settings.issuer]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| e.to_string())?;
    let claims = data.claims;
    if claims.iat > chrono::Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
        return Err("issued in the future".into());
    }
    let id = |v: &Option<String>| -> Result<Option<Uuid>, String> {
        v.as_deref().map(Uuid::parse_str).transpose().map_err(|_| "bad binding".to_string())
    };
    let caller = Caller {
        client_id: Uuid::parse_str(&claims.sub).map_err(|_| "bad sub")?,
        role: claims.role.parse::<Role>().map_err(|e| e.to_string())?,
        board_id: id(&claims.board_id)?,
        officer_id: id(&claims.officer_id)?,
        agency_id: id(&claims.agency_id)?,
        scopes: parse_scopes(&claims.scope)?.into(),
    };
    Ok((caller, claims.exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_private_pem;
    use crate::domain::access::Scope;

    fn settings() -> TokenSettings {
        TokenSettings { issuer: "sro-api".into(), audience: "sro-api".into(), ttl_seconds: 900 }
    }

    fn caller() -> Caller {
        Caller {
            client_id: Uuid::now_v7(),
            role: Role::Board,
            board_id: Some(Uuid::now_v7()),
            officer_id: None,
            agency_id: None,
            scopes: vec![Scope::SchoolsRead].into(),
        }
    }

    #[test]
    fn a_token_round_trips_and_carries_kid() {
        let keys = KeyRing::new(&generate_private_pem().unwrap(), &[]).unwrap();
        let who = caller();
        let (token, _) = issue(&keys, &settings(), &who).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(), Some(keys.kid()));
        assert_eq!(verify(&keys, &settings(), &token).unwrap().0, who);
    }

    #[test]
    fn wrong_audience_issuer_and_key_are_refused() {
        let keys = KeyRing::new(&generate_private_pem().unwrap(), &[]).unwrap();
        let other = KeyRing::new(&generate_private_pem().unwrap(), &[]).unwrap();
        let (token, _) = issue(&keys, &settings(), &caller()).unwrap();
        let mut wrong_aud = settings();
        wrong_aud.audience = "other".into();
        assert!(verify(&keys, &wrong_aud, &token).is_err());
        let mut wrong_iss = settings();
        wrong_iss.issuer = "other".into();
        assert!(verify(&keys, &wrong_iss, &token).is_err());
        assert!(verify(&other, &settings(), &token).is_err());
    }

    #[test]
    fn a_token_not_valid_yet_is_refused_beyond_the_skew() {
        let keys = KeyRing::new(&generate_private_pem().unwrap(), &[]).unwrap();
        let now = chrono::Utc::now().timestamp();
        let sign = |nbf: i64| {
            let who = caller();
            let claims = Claims {
                iss: "sro-api".into(),
                sub: who.client_id.to_string(),
                aud: "sro-api".into(),
                exp: now + 600,
                iat: now,
                nbf: Some(nbf),
                jti: "j".into(),
                scope: "schools:read".into(),
                role: "board".into(),
                board_id: who.board_id.map(|b| b.to_string()),
                officer_id: None,
                agency_id: None,
            };
            let mut header = Header::new(Algorithm::ES256);
            header.kid = Some(keys.kid().to_owned());
            jsonwebtoken::encode(&header, &claims, keys.encoding_key()).unwrap()
        };
        assert!(verify(&keys, &settings(), &sign(now + 120)).is_err(), "nbf two minutes ahead");
        assert!(verify(&keys, &settings(), &sign(now + 10)).is_ok(), "nbf within the 30 s skew");
    }
}

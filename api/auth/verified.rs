//! Tokens this instance has already verified, so a client's next request with the same token
//! skips the ES256 signature check (about half the CPU of a simple read). Keyed by the SHA-256
//! of the whole token, so only the exact bytes that passed verification hit; an entry lives until
//! the token's `exp`, never longer; the cache is bounded; a client disabled here is dropped at
//! once (and every request still checks the list of disabled clients, which is how the other
//! instances learn of it).

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::access::Caller;

/// Entries kept at most; past it, expired entries go, and if none has expired the cache starts
/// over (verification is only a cost, never a correctness question).
pub const CAPACITY: usize = 10_000;

/// The cache.
#[derive(Default)]
pub struct Verified {
    entries: Mutex<HashMap<TokenKey, (Caller, i64)>>,
}

/// A token as the cache knows it: the SHA-256 of its exact bytes, computed once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenKey([u8; 32]);

impl TokenKey {
    /// The key of `token`.
    pub fn of(token: &str) -> TokenKey {
        TokenKey(Sha256::digest(token.as_bytes()).into())
    }
}

impl Verified {
    /// The caller and expiry of `token` if it was verified here and has not expired at `now`
    /// (seconds since the epoch).
    pub fn get(&self, key: &TokenKey, now: i64) -> Option<(Caller, i64)> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(_, exp)| now < *exp).cloned()
    }

    /// Remembers a token that passed verification.
    pub fn put(&self, key: TokenKey, caller: Caller, exp: i64, now: i64) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, e)| now < *e);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (caller, exp));
    }

    /// Forgets every token of `client` (disabled on this instance).
    pub fn forget_client(&self, client: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (caller, _)| caller.client_id != client);
        }
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;

    fn caller(id: Uuid) -> Caller {
        Caller {
            client_id: id,
            role: Role::Admin,
            board_id: None,
            officer_id: None,
            agency_id: None,
            scopes: vec![].into(),
        }
    }

    #[test]
    fn an_entry_serves_only_its_exact_token_and_only_until_it_expires() {
        let cache = Verified::default();
        let id = Uuid::new_v4();
        cache.put(TokenKey::of("a.b.c"), caller(id), 1_000, 900);
        assert_eq!(cache.get(&TokenKey::of("a.b.c"), 999).map(|(c, _)| c.client_id), Some(id));
        assert!(cache.get(&TokenKey::of("a.b.c"), 1_000).is_none(), "expired at exp");
        assert!(cache.get(&TokenKey::of("a.b.d"), 999).is_none(), "another signature is another token");
    }

    #[test]
    fn a_disabled_client_is_forgotten_and_the_cache_stays_bounded() {
        let cache = Verified::default();
        let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put(TokenKey::of("t1"), caller(gone), 2_000, 0);
        cache.put(TokenKey::of("t2"), caller(kept), 2_000, 0);
        cache.forget_client(gone);
        assert!(cache.get(&TokenKey::of("t1"), 1).is_none());
        assert!(cache.get(&TokenKey::of("t2"), 1).is_some());
        for n in 0..(CAPACITY + 5) {
            cache.put(TokenKey::of(&format!("x{n}")), caller(kept), 2_000, 0);
        }
        assert!(cache.len() <= CAPACITY);
    }
}

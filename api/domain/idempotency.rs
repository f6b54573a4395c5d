//! `Idempotency-Key` (API.md §2, §6): what a key may be, and what makes two requests "the same".

use sha2::{Digest, Sha256};

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;
/// How long a key's first answer is replayed.
pub const KEEP_HOURS: i64 = 24;
/// A key still marked running after this long belongs to a request that cannot still be running
/// (the longest, an import, has 120 s and its body 30 s): a retry may take it over.
pub const STALE_SECONDS: i64 = 180;

/// The key, if acceptable; else the message for `errors[].message`.
pub fn parse_key(raw: &[u8]) -> Result<String, super::i18n::Msg> {
    let text = std::str::from_utf8(raw).unwrap_or_default();
    if text.is_empty() || text.len() > MAX_KEY_LENGTH || !super::pattern::matches(super::pattern::IDEMPOTENCY_KEY, text)
    {
        return Err(crate::msg!("idempotency_key_form", max = MAX_KEY_LENGTH));
    }
    Ok(text.to_owned())
}

/// What identifies a request for replay: method, path, query, media type and body. A retry
/// sends all five unchanged; a different request under the same key is refused.
pub fn fingerprint(method: &str, path: &str, query: &str, content_type: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes(), query.as_bytes(), content_type.as_bytes()] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an answer with `status` is kept for replay. A server failure, a refused token or
/// scope, a rate limit or a body that never arrived says nothing final about the request, so
/// the key is freed for a retry; every other answer (created, or refused for what the request
/// says) is what a retry must get again.
pub fn keeps(status: u16) -> bool {
    status < 500 && !matches!(status, 401 | 403 | 408 | 429)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert_eq!(parse_key(b"2026-12-03/upload-7").unwrap(), "2026-12-03/upload-7");
        assert!(parse_key(b"").is_err());
        assert!(parse_key(b"has space").is_err());
        assert!(parse_key("clé".as_bytes()).is_err());
        assert!(parse_key(&[b'k'; 256]).is_err());
        assert!(parse_key(&[b'k'; 255]).is_ok());
    }

    #[test]
    fn a_fingerprint_changes_with_any_part_and_parts_cannot_slide_into_each_other() {
        let base = fingerprint("POST", "/v1/incidents", "", "application/json", b"{}");
        assert_eq!(base, fingerprint("POST", "/v1/incidents", "", "application/json", b"{}"));
        assert_ne!(base, fingerprint("POST", "/v1/incidents", "", "application/json", b"{ }"));
        assert_ne!(base, fingerprint("POST", "/v1/persons", "", "application/json", b"{}"));
        assert_ne!(fingerprint("POST", "/v1/a", "b", "", b""), fingerprint("POST", "/v1/ab", "", "", b""));
    }

    #[test]
    fn only_final_answers_are_kept() {
        for kept in [200, 201, 400, 404, 409, 412, 413, 415, 422] {
            assert!(keeps(kept), "{kept}");
        }
        for freed in [401, 403, 408, 429, 500, 503] {
            assert!(!keeps(freed), "{freed}");
        }
    }
}

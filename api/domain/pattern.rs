//! The patterns the validators enforce, written in the subset that JSON Schema (ECMA-262),
//! Rust's `regex` and Python's `re` read alike: ASCII ranges and `\uXXXX` escapes, never `\s`,
//! `\d` or `\w` (each engine has its own idea of those). The OpenAPI document states the same
//! strings (a test compares them), so a client generated from it accepts what we accept.

use std::sync::OnceLock;

use regex::Regex;

/// Characters that count as blank: the union of what Rust, Python and JavaScript call
/// whitespace, so "only blanks" means the same to the service and to every client.
pub const BLANKS: &[char] = &[
    '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{1c}', '\u{1d}', '\u{1e}', '\u{1f}', '\u{85}', '\u{a0}', '\u{1680}',
    '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{feff}',
];

/// Required text: no NUL, and at least one character that is not blank.
pub const TEXT: &str = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$";
/// Optional text: no NUL (blank text is taken as null).
pub const OPTIONAL_TEXT: &str = "^[^\\u0000]*$";
/// A Ministry school number: six digits.
pub const SCHOOL_NUMBER: &str = "^[0-9]{6}$";
/// A Ministry board number: `B` and five digits.
pub const BOARD_NUMBER: &str = "^B[0-9]{5}$";
/// A badge number: 1 to 20 letters, digits or hyphens.
pub const BADGE: &str = "^[A-Za-z0-9-]{1,20}$";
/// A Canadian postal code, any case, with or without one space or hyphen, letters as Canada Post
/// uses them (no D, F, I, O, Q or U; no W or Z first).
pub const POSTAL_CODE: &str = "^[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][ -]?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9]$";
/// An email address: a local part, `@`, and a domain with at least one dot; no spaces or
/// control characters.
pub const EMAIL: &str = "^[^\\u0000- @\\u007f]+@[^\\u0000- @.\\u007f]+(\\.[^\\u0000- @.\\u007f]+)+$";

/// Every pattern, for the test that each compiles and appears in the document.
/// An `Idempotency-Key`: visible ASCII only, so a key never carries a line break or invisible
/// text into storage (length 1–255 is stated apart).
pub const IDEMPOTENCY_KEY: &str = "^[!-~]+$";
/// The shape of a webhook URL: an http(s) scheme and no NUL (the full rules, https only and
/// no inside address, are `domain::webhook::check_url`'s).
pub const WEBHOOK_URL: &str = "^[hH][tT][tT][pP][sS]?://[^\\u0000]+$";
/// Every pattern above.
pub const ALL: &[&str] =
    &[TEXT, OPTIONAL_TEXT, SCHOOL_NUMBER, BOARD_NUMBER, BADGE, POSTAL_CODE, EMAIL, IDEMPOTENCY_KEY, WEBHOOK_URL];

/// True when `text` matches `pattern` (one of the constants above); false if it cannot compile.
pub fn matches(pattern: &'static str, text: &str) -> bool {
    static COMPILED: OnceLock<Vec<(&'static str, Option<Regex>)>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| ALL.iter().map(|p| (*p, Regex::new(p).ok())).collect());
    match compiled.iter().find(|(p, _)| *p == pattern) {
        Some((_, Some(re))) => re.is_match(text),
        Some((_, None)) => false,
        None => Regex::new(pattern).is_ok_and(|re| re.is_match(text)),
    }
}

/// True when `text` is empty or only blanks.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| BLANKS.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for p in ALL {
            assert!(Regex::new(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn the_text_pattern_and_is_blank_agree_on_every_character_below_u_3001_and_the_bom() {
        for c in (0u32..0x3001).chain([0xfeff, 0xfffd]).filter_map(char::from_u32) {
            let one = c.to_string();
            let blank_or_nul = is_blank(&one) || c == '\0';
            assert_eq!(matches(TEXT, &one), !blank_or_nul, "U+{:04X}", c as u32);
        }
        assert!(matches(TEXT, " École "));
        assert!(!matches(TEXT, "a\0b"));
    }

    #[test]
    fn postal_codes_follow_canada_post() {
        for ok in ["K1A 0B1", "k1a0b1", "k1a-0b1", "T2X 1V4"] {
            assert!(matches(POSTAL_CODE, ok), "{ok}");
        }
        for bad in ["D1A 0B1", "W1A 0B1", "K1O 0B1", "K1A 0Q1", "K1A0B", "K1A  0B1", " K1A0B1", "K1A0B1\n"] {
            assert!(!matches(POSTAL_CODE, bad), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_dotted_domain_and_no_spaces() {
        assert!(matches(EMAIL, "emilie.gagne@police.example"));
        for bad in ["nope", "a@b", "a @b.c", "a@.b", "a@b.", "@b.c", "a@b@c.d"] {
            assert!(!matches(EMAIL, bad), "{bad}");
        }
    }
}

//! Canadian postal codes: accepted in any case, with or without a space or hyphen,
//! returned as `K1A 0B1`.

use super::pattern::{matches, POSTAL_CODE};

/// Normalises a postal code or says why it is not one.
pub fn normalise(input: &str) -> Result<String, super::i18n::Msg> {
    if !matches(POSTAL_CODE, input) {
        return Err(crate::msg!("must_be_postal_code"));
    }
    let compact: String = input.chars().filter(|c| *c != ' ' && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    Ok(format!("{} {}", &compact[..3], &compact[3..]))
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn accepts_any_case_and_separator() {
        for input in ["k1a0b1", "K1A 0B1", "k1a-0b1"] {
            assert_eq!(normalise(input).as_deref(), Ok("K1A 0B1"), "{input}");
        }
    }

    #[test]
    fn refuses_letters_canada_post_does_not_use() {
        for input in ["D1A 0B1", "W1A 0B1", "K1O 0B1", "K1A 0Q1", "K1A0B", "K1A 0B12", "12345", "K1A  0B1", " K1A0B1 "]
        {
            assert!(normalise(input).is_err(), "{input}");
        }
    }
}

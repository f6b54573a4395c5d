//! Text folding for case- and accent-insensitive search, identical on both backends.

/// Lower-cases and strips accents: "École Élémentaire" -> "ecole elementaire".
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// A `LIKE` pattern matching `needle` anywhere, with `%`, `_` and `\` escaped.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in fold(needle).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("École Élémentaire Sainte-Anne"), "ecole elementaire sainte-anne");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("100%_x"), "%100\\%\\_x%");
    }
}

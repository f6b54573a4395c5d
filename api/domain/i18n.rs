//! The words of the API in each language (API.md §8): one catalogue file per language,
//! `api/i18n/en.json` and `api/i18n/fr.json`, built into the binary. Today they hold the labels
//! of every enum value (`vocabularies`); French answers add their messages here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const EN: &str = include_str!("../i18n/en.json");
const FR: &str = include_str!("../i18n/fr.json");

/// A language the service answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Canadian French.
    Fr,
}

/// One language's catalogue.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Vocabulary name → enum value → label.
    pub vocabularies: BTreeMap<String, BTreeMap<String, String>>,
}

/// Reads a catalogue file.
pub fn parse(text: &str) -> Result<Catalogue, String> {
    serde_json::from_str(text).map_err(|e| format!("catalogue: {e}"))
}

/// The catalogue of `lang`. The files are checked by this module's tests; were one broken, its
/// labels would be missing (answered as the value itself), never a failed request.
pub fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: OnceLock<(Catalogue, Catalogue)> = OnceLock::new();
    let (en, fr) = CATALOGUES.get_or_init(|| (parse(EN).unwrap_or_default(), parse(FR).unwrap_or_default()));
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// The label of `value` in vocabulary `name`, or the value itself when the catalogue lacks it.
pub fn label(lang: Lang, name: &str, value: &str) -> String {
    catalogue(lang).vocabularies.get(name).and_then(|v| v.get(value)).cloned().unwrap_or_else(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches a catalogue that does not parse, or one language with a vocabulary or value the
    /// other lacks (a French answer would fall back to the bare value).
    #[test]
    fn both_catalogues_parse_and_name_the_same_values_with_non_empty_labels() {
        let en = parse(EN).unwrap();
        let fr = parse(FR).unwrap();
        assert_eq!(en.vocabularies.keys().collect::<Vec<_>>(), fr.vocabularies.keys().collect::<Vec<_>>());
        for (name, values) in &en.vocabularies {
            let french = &fr.vocabularies[name];
            assert_eq!(values.keys().collect::<Vec<_>>(), french.keys().collect::<Vec<_>>(), "{name}");
            for (value, label) in values.iter().chain(french.iter()) {
                assert!(!label.trim().is_empty(), "{name}.{value}");
            }
        }
    }

    /// Catches English words left in the French catalogue where the usage of the French-language
    /// boards has its own (« courriel », not « e-mail »), and unaccented capitals and common words.
    #[test]
    fn the_french_catalogue_uses_canadian_french() {
        let fr = parse(FR).unwrap();
        let all: Vec<&String> = fr.vocabularies.values().flat_map(|v| v.values()).collect();
        for label in &all {
            for english in ["e-mail", "email", "Read ", "Write ", "School", "Board", "Other", "Status"] {
                assert!(!label.contains(english), "`{label}` has `{english}`");
            }
        }
        assert_eq!(label(Lang::Fr, "level", "elementary"), "Élémentaire");
        assert_eq!(label(Lang::Fr, "incident_category", "bullying"), "Intimidation");
        assert_eq!(label(Lang::En, "incident_category", "bullying"), "Bullying");
        assert_eq!(label(Lang::Fr, "nothing", "x"), "x", "a missing label is the value itself");
    }
}

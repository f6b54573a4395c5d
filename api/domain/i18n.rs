//! The words of the API in each language (API.md §8): one catalogue file per language,
//! `api/i18n/en.json` and `api/i18n/fr.json`, built into the binary. Today they hold the labels
//! of every enum value (`vocabularies`), the other words of statistics and the months; French
//! problem messages come here too.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const EN: &str = include_str!("../i18n/en.json");
const FR: &str = include_str!("../i18n/fr.json");

/// A language the service answers in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Canadian French.
    Fr,
}

impl Lang {
    /// The language an `Accept-Language` header asks for: French when `fr` (or `fr-CA`, any
    /// `fr-*`) is preferred over English (by its `q` weight, then its order), else English.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else { return Lang::En };
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("fr") => Lang::Fr,
                Some("en") | Some("*") => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::En, |(lang, _)| lang)
    }

    /// Its `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// One language's catalogue.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Words of statistics that are no enum value (`not_resolved_yet`, `private_schools`).
    #[serde(default)]
    pub words: BTreeMap<String, String>,
    /// The months, January first.
    #[serde(default)]
    pub months: Vec<String>,
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

/// The word `key` (`not_resolved_yet`), or the key itself when the catalogue lacks it.
pub fn word(lang: Lang, key: &str) -> String {
    catalogue(lang).words.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

/// `November 2026` / `novembre 2026`.
pub fn month(lang: Lang, day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let name = catalogue(lang).months.get(day.month0() as usize).cloned().unwrap_or_else(|| day.month().to_string());
    format!("{name} {}", day.year())
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
        assert_eq!(en.words.keys().collect::<Vec<_>>(), fr.words.keys().collect::<Vec<_>>());
        assert_eq!((en.months.len(), fr.months.len()), (12, 12));
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
        let day = chrono::NaiveDate::from_ymd_opt(2026, 8, 3).unwrap();
        assert_eq!((month(Lang::En, day), month(Lang::Fr, day)), ("August 2026".into(), "août 2026".into()));
        assert_eq!(word(Lang::Fr, "private_schools"), "Écoles privées");
    }

    /// Catches French given to a client that prefers English, or refused to one that asks for
    /// `fr-CA` or ranks French first.
    #[test]
    fn accept_language_picks_french_only_when_it_is_preferred() {
        let pick = |h: &str| Lang::from_accept_language(Some(h));
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        for french in ["fr", "fr-CA", "FR-ca", "fr-CA,fr;q=0.9,en;q=0.8", "en;q=0.5, fr", "de, fr;q=0.4"] {
            assert_eq!(pick(french), Lang::Fr, "{french}");
        }
        for english in ["en", "en-CA,fr;q=0.5", "de", "", "fr;q=0", "*"] {
            assert_eq!(pick(english), Lang::En, "{english}");
        }
    }
}

//! The words of the API in each language (API.md §8): one catalogue file per language,
//! `api/i18n/en.json` and `api/i18n/fr.json`, built into the binary. Today they hold the labels
//! of every enum value (`vocabularies`), the other words of statistics, the months, and every
//! message of a problem body (`messages`: titles, details and `errors[].message`). Code names a
//! message by id with [`msg!`](crate::msg) and gets its text in the caller's language only when
//! the problem body is built, so no English sentence lives in the code.

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
    /// Message id → template of a problem's title, detail or field message, with `{name}`
    /// placeholders for its arguments.
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
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

/// A message of the catalogues, by id, with its arguments: what a problem says, kept as data
/// until the answer's language is known. Its `Display` is the English text (for logs, the CLI
/// and `thiserror` messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    id: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Msg {
    /// A message without arguments. Call it through [`msg!`](crate::msg), which takes the id as
    /// a literal so that the catalogue tests can find every id used in the code.
    #[doc(hidden)]
    pub fn new(id: &'static str) -> Msg {
        Msg { id, args: Vec::new() }
    }

    /// Adds the value of placeholder `{name}`; values (numbers, field names, enum values) are
    /// written as they are, in every language.
    #[doc(hidden)]
    pub fn arg(mut self, name: &'static str, value: impl std::fmt::Display) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }

    /// Its id in the catalogues.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The text in `lang`: the template with its placeholders filled. A message missing from
    /// `lang` falls back to English, then to its id (the tests keep both from happening).
    pub fn render(&self, lang: Lang) -> String {
        let template = catalogue(lang).messages.get(self.id).or_else(|| catalogue(Lang::En).messages.get(self.id));
        match template {
            Some(template) => fill(template, &self.args),
            None => self.id.to_owned(),
        }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// A message of the catalogues: `msg!("at_most_characters", max = 200)`. The id must be a
/// literal (the catalogue tests read the sources for it) and each `name = value` fills the
/// placeholder `{name}`.
#[macro_export]
macro_rules! msg {
    ($id:literal) => {
        $crate::domain::i18n::Msg::new($id)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::domain::i18n::Msg::new($id)$(.arg(stringify!($name), $value))+
    };
}

/// `template` with each `{name}` of `args` replaced by its value, in one pass (a value that
/// itself contains braces is never read as a placeholder).
fn fill(template: &str, args: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| args.iter().find(|(name, _)| *name == &after[..close]).map(|(_, v)| (close, v)));
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{placeholders}` of a template, in order of first appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[close + 1..];
    }
    names
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

    /// Catches a message one language lacks (a French answer would fall back to English), an
    /// empty one, or a placeholder one language forgot or misspelt (the value would not show).
    #[test]
    fn both_catalogues_have_the_same_messages_with_the_same_placeholders() {
        let en = parse(EN).unwrap();
        let fr = parse(FR).unwrap();
        assert!(!en.messages.is_empty());
        assert_eq!(en.messages.keys().collect::<Vec<_>>(), fr.messages.keys().collect::<Vec<_>>());
        for (id, english) in &en.messages {
            let french = &fr.messages[id];
            for text in [english, french] {
                assert!(!text.trim().is_empty() && text.trim() == text, "{id}: `{text}`");
            }
            let sorted = |t: &str| {
                let mut names: Vec<String> = placeholders(t).into_iter().map(str::to_owned).collect();
                names.sort_unstable();
                names
            };
            assert_eq!(sorted(english), sorted(french), "{id}");
        }
    }

    /// One use of `msg!` in the sources: its file, whether it is the service's code (`api/`)
    /// rather than a test's, its id and argument names.
    struct Use {
        file: String,
        in_code: bool,
        id: String,
        args: Vec<String>,
    }

    /// Every `.rs` file under `dir`.
    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    /// The arguments of a macro call, `text` starting just after its opening parenthesis: split
    /// at the top-level commas up to the closing one; string literals and nested brackets are
    /// skipped over.
    fn arguments(text: &str) -> Vec<String> {
        let (mut depth, mut parts, mut current) = (0usize, Vec::new(), String::new());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    current.push(c);
                    while let Some(s) = chars.next() {
                        current.push(s);
                        if s == '\\' {
                            current.extend(chars.next());
                        } else if s == '"' {
                            break;
                        }
                    }
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    current.push(c);
                }
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => {
                    depth -= 1;
                    current.push(c);
                }
                ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        parts.push(current);
        parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
    }

    /// Every `msg!` of the crate's sources (`api/`) and tests (`tests/`).
    fn uses() -> Vec<Use> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("api"), &mut files);
        let code_files = files.len();
        sources(&root.join("tests"), &mut files);
        assert!(code_files > 50, "the sources were not found");
        // Spelt in two halves so that this test does not find itself.
        let needle = concat!("msg", "!(");
        let mut found = Vec::new();
        for (n, (file, text)) in files.iter().enumerate() {
            for (at, _) in text.match_indices(needle) {
                let args = arguments(&text[at + needle.len()..]);
                let id = args.first().cloned().unwrap_or_default();
                assert!(
                    id.len() > 2 && id.starts_with('"') && id.ends_with('"'),
                    "{file}: a message id must be a literal, not `{id}`"
                );
                let names = args[1..]
                    .iter()
                    .map(|a| a.split_once('=').map(|(name, _)| name.trim().to_owned()).unwrap_or_else(|| a.clone()))
                    .collect();
                let id = id.trim_matches('"').to_owned();
                found.push(Use { file: file.clone(), in_code: n < code_files, id, args: names });
            }
            let direct = concat!("Msg", "::new(");
            assert!(
                file.ends_with("i18n.rs") || !text.contains(direct),
                "{file}: build messages with msg!, so that their ids can be checked"
            );
        }
        found
    }

    /// Catches a message id the code uses that a catalogue lacks (the answer would show the
    /// id), an argument that fills no placeholder or a placeholder no argument fills (the text
    /// would show `{max}`), and a catalogue entry nothing uses any more.
    #[test]
    fn every_message_the_code_names_is_in_both_catalogues_with_its_arguments_and_none_is_dead() {
        let en = parse(EN).unwrap();
        let fr = parse(FR).unwrap();
        let uses = uses();
        assert!(uses.len() > 100, "the scan found only {} uses", uses.len());
        for u in &uses {
            for (lang, catalogue) in [("en", &en), ("fr", &fr)] {
                let Some(template) = catalogue.messages.get(&u.id) else {
                    panic!("{}: message `{}` is not in {lang}.json", u.file, u.id)
                };
                let mut wanted: Vec<String> = placeholders(template).into_iter().map(str::to_owned).collect();
                let mut given = u.args.clone();
                wanted.sort();
                given.sort();
                assert_eq!(given, wanted, "{}: the arguments of `{}` against its {lang} placeholders", u.file, u.id);
            }
        }
        let in_code: std::collections::BTreeSet<&str> =
            uses.iter().filter(|u| u.in_code).map(|u| u.id.as_str()).collect();
        let dead: Vec<&String> = en.messages.keys().filter(|id| !in_code.contains(id.as_str())).collect();
        assert!(dead.is_empty(), "catalogue messages no code uses: {dead:?}");
    }

    /// Catches English left in a French message: a sentence copied and not translated, or an
    /// English word the French-language boards have their own for (« courriel »). Field names
    /// and values (`not_required`, `active: false`) stay as they are, so words with `_`, words
    /// in backticks and placeholders are not read.
    #[test]
    fn the_french_messages_have_no_english_left() {
        let fr = parse(FR).unwrap();
        let english = [
            "the", "must", "is", "not", "required", "e-mail", "email", "of", "and", "or", "be", "cannot", "only",
            "this", "with", "for", "no", "has", "was", "already", "such", "should", "may", "record", "records",
            "request", "field", "body", "one", "more", "than", "any", "your", "you", "it", "its", "from", "to", "by",
            "at", "are", "unknown", "invalid", "missing", "number", "phone", "token", "scope", "board", "school",
            "officer", "agency", "youth", "endpoint", "retry", "please",
        ];
        // Not listed: words both languages have (« on », « an », « as », « a », « plus »), and
        // `referral`, a value of `measure` named in a message.
        for (id, text) in &fr.messages {
            let mut plain = String::new();
            let mut quoted = false;
            for c in text.chars() {
                if c == '`' {
                    quoted = !quoted;
                } else if !quoted {
                    plain.push(c);
                }
            }
            for word in plain.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '{' || c == '}')) {
                if word.contains('_') || word.starts_with('{') {
                    continue;
                }
                let lower = word.to_lowercase();
                assert!(!english.contains(&lower.as_str()), "{id}: `{word}` in `{text}`");
            }
            for unaccented in ["Ecole", "ecole", "echec", "Echec", "regle", "precede", "deja", "acces"] {
                assert!(!text.contains(unaccented), "{id}: `{unaccented}` wants its accents in `{text}`");
            }
        }
    }

    /// Catches a placeholder left unfilled or filled twice, a value read again as a template,
    /// and a message missing from a catalogue shown as nothing.
    #[test]
    fn a_message_is_written_in_the_language_asked_with_its_values() {
        let m = crate::msg!("at_most_characters", max = 200);
        assert_eq!(m.render(Lang::En), "must be at most 200 characters");
        assert_eq!(m.render(Lang::Fr), "doit compter au plus 200 caractères");
        assert_eq!(m.to_string(), "must be at most 200 characters", "Display is English, for logs");
        let v = crate::msg!("unknown_column", name = "{max}");
        assert_eq!(v.render(Lang::En), "unknown column `{max}`", "a value is never a template");
        assert_eq!(fill("{a} and {a}, {b}", &[("a", "1".into())]), "1 and 1, {b}");
        assert_eq!(Msg::new("no_such_id").render(Lang::Fr), "no_such_id");
        assert_eq!(placeholders("from {min} to {max} ({min})"), ["min", "max"]);
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

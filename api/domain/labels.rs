//! The human names statistics give their groups (`label`), in the caller's language, from the
//! catalogues (`domain::i18n`): one place for every word. Records that have a name of their own
//! (schools, boards, agencies) are labelled with it (a board's or agency's `name_fr` in French).

use chrono::NaiveDate;

use super::i18n::{self, Lang};
use super::incident::{IncidentCategory, IncidentLocation, Resolution};
use super::referral::{ReferralCategory, ReferralStatus};

/// The group of incidents with no resolution yet (open or under investigation).
pub fn unresolved(lang: Lang) -> String {
    i18n::word(lang, "not_resolved_yet")
}

/// The group of private schools (no board).
pub fn private_schools(lang: Lang) -> String {
    i18n::word(lang, "private_schools")
}

/// `November 2026` / `novembre 2026`.
pub fn month(lang: Lang, day: NaiveDate) -> String {
    i18n::month(lang, day)
}

/// An incident category.
pub fn incident_category(lang: Lang, value: IncidentCategory) -> String {
    i18n::label(lang, "incident_category", value.as_str())
}

/// How an incident was resolved.
pub fn resolution(lang: Lang, value: Resolution) -> String {
    i18n::label(lang, "resolution", value.as_str())
}

/// Where an incident happened.
pub fn location(lang: Lang, value: IncidentLocation) -> String {
    i18n::label(lang, "incident_location", value.as_str())
}

/// A referral's status.
pub fn referral_status(lang: Lang, value: ReferralStatus) -> String {
    i18n::label(lang, "referral_status", value.as_str())
}

/// A referral's category.
pub fn referral_category(lang: Lang, value: ReferralCategory) -> String {
    i18n::label(lang, "referral_category", value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catches two values of one grouping given the same words (a reader could not tell the
    /// groups apart), in either language.
    #[test]
    fn every_label_of_a_grouping_is_distinct_in_both_languages() {
        fn distinct(labels: Vec<String>) {
            let mut sorted = labels.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), labels.len(), "{labels:?}");
        }
        for lang in [Lang::En, Lang::Fr] {
            distinct(IncidentCategory::ALL.iter().map(|v| incident_category(lang, *v)).collect());
            distinct(Resolution::ALL.iter().map(|v| resolution(lang, *v)).chain([unresolved(lang)]).collect());
            distinct(IncidentLocation::ALL.iter().map(|v| location(lang, *v)).collect());
            distinct(ReferralStatus::ALL.iter().map(|v| referral_status(lang, *v)).collect());
            distinct(ReferralCategory::ALL.iter().map(|v| referral_category(lang, *v)).collect());
        }
        let day = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap_or_default();
        assert_eq!(month(Lang::En, day), "November 2026");
        assert_eq!(incident_category(Lang::En, IncidentCategory::DrugsAlcohol), "Drugs and alcohol");
        assert_eq!(incident_category(Lang::Fr, IncidentCategory::DrugsAlcohol), "Drogues et alcool");
    }
}

//! The human names statistics give their groups (`label`): one place for every word, so that
//! French answers (API.md §8) add a column here and nothing elsewhere. Records that have a name
//! of their own (schools, boards, agencies) are labelled with it; boards and agencies also keep
//! a `name_fr` for that day.

use chrono::{Datelike, NaiveDate};

use super::incident::{IncidentCategory, IncidentLocation, Resolution};
use super::referral::{ReferralCategory, ReferralStatus};

/// The group of incidents with no resolution yet (open or under investigation).
pub const UNRESOLVED: &str = "Not resolved yet";

/// The group of private schools (no board).
pub const PRIVATE_SCHOOLS: &str = "Private schools";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `November 2026`.
pub fn month(day: NaiveDate) -> String {
    let name = MONTHS.get(day.month0() as usize).copied().unwrap_or_default();
    format!("{name} {}", day.year())
}

/// An incident category.
pub fn incident_category(value: IncidentCategory) -> &'static str {
    use IncidentCategory::*;
    match value {
        Assault => "Assault",
        Threat => "Threat",
        Weapon => "Weapon",
        DrugsAlcohol => "Drugs and alcohol",
        Theft => "Theft",
        Mischief => "Mischief",
        Bullying => "Bullying",
        Cyber => "Cyber incident",
        SexualOffence => "Sexual offence",
        Trespass => "Trespass",
        MentalHealth => "Mental health",
        Other => "Other",
    }
}

/// How an incident was resolved.
pub fn resolution(value: Resolution) -> &'static str {
    use Resolution::*;
    match value {
        VerbalCaution => "Verbal caution",
        Counselling => "Counselling",
        Mediation => "Mediation",
        Diversion => "Diversion",
        Charge => "Charge",
        NoFurtherAction => "No further action",
        Referred => "Referred",
    }
}

/// Where an incident happened.
pub fn location(value: IncidentLocation) -> &'static str {
    use IncidentLocation::*;
    match value {
        SchoolProperty => "School property",
        TravelToSchool => "Travel to school",
        TravelFromSchool => "Travel from school",
        SchoolEvent => "School event",
        Other => "Other",
    }
}

/// Where a referral stands.
pub fn referral_status(value: ReferralStatus) -> &'static str {
    use ReferralStatus::*;
    match value {
        Submitted => "Submitted",
        Acknowledged => "Acknowledged",
        Accepted => "Accepted",
        Declined => "Declined",
        InProgress => "In progress",
        Completed => "Completed",
        Withdrawn => "Withdrawn",
    }
}

/// What a referral is for.
pub fn referral_category(value: ReferralCategory) -> &'static str {
    use ReferralCategory::*;
    match value {
        ChildProtection => "Child protection",
        YouthServices => "Youth services",
        Diversion => "Diversion",
        MentalHealth => "Mental health",
        FamilySupport => "Family support",
        Other => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_named_in_full_with_their_year() {
        assert_eq!(month(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()), "November 2026");
        assert_eq!(month(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), "January 2027");
    }

    #[test]
    fn every_enum_value_has_a_label_of_its_own() {
        fn distinct(labels: Vec<&str>) {
            let mut sorted = labels.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), labels.len(), "{labels:?}");
            assert!(labels.iter().all(|l| !l.is_empty() && !l.contains('_')), "{labels:?}");
        }
        distinct(IncidentCategory::ALL.iter().map(|v| incident_category(*v)).collect());
        distinct(Resolution::ALL.iter().map(|v| resolution(*v)).chain([UNRESOLVED]).collect());
        distinct(IncidentLocation::ALL.iter().map(|v| location(*v)).collect());
        distinct(ReferralStatus::ALL.iter().map(|v| referral_status(*v)).collect());
        distinct(ReferralCategory::ALL.iter().map(|v| referral_category(*v)).collect());
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;
    use crate::domain::i18n::{label, Lang};

    /// Catches statistics and vocabularies giving the same value two different English words.
    #[test]
    fn statistics_labels_are_the_vocabularies_english_labels() {
        for v in IncidentCategory::ALL {
            assert_eq!(incident_category(*v), label(Lang::En, "incident_category", v.as_str()));
        }
        for v in Resolution::ALL {
            assert_eq!(resolution(*v), label(Lang::En, "resolution", v.as_str()));
        }
        for v in IncidentLocation::ALL {
            assert_eq!(location(*v), label(Lang::En, "incident_location", v.as_str()));
        }
        for v in ReferralStatus::ALL {
            assert_eq!(referral_status(*v), label(Lang::En, "referral_status", v.as_str()));
        }
        for v in ReferralCategory::ALL {
            assert_eq!(referral_category(*v), label(Lang::En, "referral_category", v.as_str()));
        }
    }
}

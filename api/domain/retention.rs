//! Retention of a person's record (API.md §7): `retain_until`, then sealing and destruction.
//! Pure rules; the facts are gathered by `service::retention`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What decides how long one person is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionFacts {
    /// Outcomes with a YCJA period (the subject was under 18 or of unknown age).
    pub youth_outcomes: usize,
    /// One of them has no end yet (a pending charge, a sentence not completed).
    pub youth_period_open: bool,
    /// The latest end of their periods.
    pub latest_period_end: Option<NaiveDate>,
    /// A subject of an incident still `open` or `under_investigation`.
    pub open_as_subject: bool,
    /// Named (in any other role) on an incident still open.
    pub open_as_other: bool,
    /// A referral for them not `completed`, `declined` or `withdrawn`.
    pub open_referral: bool,
    /// The last day a record naming them was resolved, completed or closed.
    pub last_resolved_on: Option<NaiveDate>,
    /// The day the person was recorded.
    pub created_on: NaiveDate,
}

/// The last day the person is kept; `None` while it cannot end (§7).
///
/// With outcomes: the latest access period, none while one is open, while they are the subject
/// of an open incident or have an open referral. Without a YCJA outcome (a witness, a guardian,
/// a youth given no measure, or one 18 or over on the day): `no_measure_days` after the last
/// record naming them was resolved (or after they were recorded, if nothing names them), none
/// while such a record is open.
pub fn retain_until(f: &RetentionFacts, no_measure_days: i64) -> Option<NaiveDate> {
    if f.open_as_subject || f.open_referral {
        return None;
    }
    if f.youth_outcomes > 0 {
        return if f.youth_period_open { None } else { f.latest_period_end };
    }
    if f.open_as_other {
        return None;
    }
    let from = f.last_resolved_on.unwrap_or(f.created_on);
    from.checked_add_days(Days::new(u64::try_from(no_measure_days).unwrap_or(0)))
}

/// What a retention pass does to one person today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet.
    Keep,
    /// From the day after `retain_until`: hidden from every role but the unit.
    Seal,
    /// `grace_days` after sealing: deleted or de-identified everywhere.
    Destroy,
    /// Due, but a legal hold keeps the record.
    Held,
}

/// The step for a person kept until `retain_until`, sealed on `sealed_on` (if so), under a
/// legal hold or not, on `today`.
pub fn step(
    retain_until: Option<NaiveDate>,
    sealed_on: Option<NaiveDate>,
    held: bool,
    today: NaiveDate,
    grace_days: i64,
) -> Step {
    let due = retain_until.is_some_and(|last| today > last);
    if held {
        return if due || sealed_on.is_some() { Step::Held } else { Step::Keep };
    }
    if let Some(sealed) = sealed_on {
        // Something reopened the record since (a new incident, a pending charge): keep it.
        if !due {
            return Step::Keep;
        }
        let destroy_on = sealed.checked_add_days(Days::new(u64::try_from(grace_days).unwrap_or(0)));
        return if destroy_on.is_some_and(|d| today >= d) { Step::Destroy } else { Step::Keep };
    }
    if due {
        Step::Seal
    } else {
        Step::Keep
    }
}

/// Replaces every occurrence of the names in `text` (case-insensitively, whole words) by
/// `[name removed]`; `None` when nothing matched. Names shorter than two letters are left, as
/// they would match ordinary words.
pub fn redact(text: &str, names: &[&str]) -> Option<String> {
    let mut out = text.to_owned();
    let mut changed = false;
    for name in names.iter().map(|n| n.trim()).filter(|n| n.chars().count() >= 2) {
        let needle: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
        let mut result = String::with_capacity(out.len());
        let mut rest = 0;
        let mut starts = out.char_indices().map(|(i, _)| i).collect::<Vec<_>>();
        starts.push(out.len());
        let mut k = 0;
        while k < starts.len() - 1 {
            let start = starts[k];
            if start < rest {
                k += 1;
                continue;
            }
            // Compare character by character, lower-cased, so no byte length is assumed.
            let mut hay = out[start..].char_indices().flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, c, l)));
            let mut end = None;
            let mut matched = 0;
            for (i, c, l) in hay.by_ref() {
                if l != needle[matched] {
                    break;
                }
                matched += 1;
                if matched == needle.len() {
                    end = Some(start + i + c.len_utf8());
                    break;
                }
            }
            if let Some(end) = end {
                let before = out[..start].chars().next_back();
                let after = out[end..].chars().next();
                if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
                    result.push_str(&out[rest..start]);
                    result.push_str("[name removed]");
                    rest = end;
                    changed = true;
                }
            }
            k += 1;
        }
        result.push_str(&out[rest..]);
        out = result;
    }
    changed.then_some(out)
}

/// A legal hold on a person (admin): keeps the record past `retain_until` until lifted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LegalHold {
    /// Why (an access request or litigation in progress).
    pub reason: String,
    /// When it was placed (UTC).
    pub placed_at: DateTime<Utc>,
}

/// One retention pass (`GET /v1/retention/runs`): counts only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RetentionRun {
    /// Run id.
    pub id: Uuid,
    /// When it started (UTC).
    pub started_at: DateTime<Utc>,
    /// When it finished (null while running, or if it was interrupted).
    pub finished_at: Option<DateTime<Utc>>,
    /// A dry run changes nothing.
    pub dry_run: bool,
    /// Persons sealed (or, in a dry run, that would be).
    pub sealed: i32,
    /// Persons destroyed (or that would be).
    pub destroyed: i32,
    /// Persons due but kept by a legal hold.
    pub held: i32,
    /// Persons whose step failed (tried again by the next pass).
    pub errors: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn facts() -> RetentionFacts {
        RetentionFacts { created_on: d("2026-01-10"), ..RetentionFacts::default() }
    }

    /// Catches each "null while" of §7 missed, or the latest period not taken.
    #[test]
    fn retain_until_is_the_latest_period_and_none_while_anything_is_open() {
        let mut f = facts();
        f.youth_outcomes = 2;
        f.latest_period_end = Some(d("2028-11-21"));
        assert_eq!(retain_until(&f, 730), Some(d("2028-11-21")));
        for open in [
            RetentionFacts { youth_period_open: true, ..f.clone() },
            RetentionFacts { open_as_subject: true, ..f.clone() },
            RetentionFacts { open_referral: true, ..f.clone() },
        ] {
            assert_eq!(retain_until(&open, 730), None, "{open:?}");
        }
        let witness_elsewhere = RetentionFacts { open_as_other: true, ..f.clone() };
        assert_eq!(retain_until(&witness_elsewhere, 730), Some(d("2028-11-21")), "only a subject's open incident");
    }

    /// Catches the no-measure rule counted from the wrong day, or a witness of an open incident
    /// given an end.
    #[test]
    fn without_an_outcome_the_person_is_kept_for_the_no_measure_days_after_the_last_resolution() {
        let mut f = facts();
        assert_eq!(retain_until(&f, 730), Some(d("2028-01-10")), "nothing names them: from their creation");
        f.last_resolved_on = Some(d("2026-11-30"));
        assert_eq!(retain_until(&f, 730), Some(d("2028-11-29")));
        assert_eq!(retain_until(&f, 10), Some(d("2026-12-10")));
        f.open_as_other = true;
        assert_eq!(retain_until(&f, 730), None);
    }

    /// Catches sealing on `retain_until` itself (it is the last day kept), destruction before
    /// the grace period, and a hold that does not stop either.
    #[test]
    fn sealing_starts_the_day_after_and_destruction_grace_days_after_sealing() {
        let last = Some(d("2026-12-01"));
        assert_eq!(step(last, None, false, d("2026-12-01"), 30), Step::Keep);
        assert_eq!(step(last, None, false, d("2026-12-02"), 30), Step::Seal);
        assert_eq!(step(None, None, false, d("2099-01-01"), 30), Step::Keep, "no end: kept");
        let sealed = Some(d("2026-12-02"));
        assert_eq!(step(last, sealed, false, d("2026-12-31"), 30), Step::Keep);
        assert_eq!(step(last, sealed, false, d("2027-01-01"), 30), Step::Destroy);
        assert_eq!(step(last, None, true, d("2026-12-02"), 30), Step::Held);
        assert_eq!(step(last, sealed, true, d("2027-06-01"), 30), Step::Held);
        assert_eq!(step(None, sealed, false, d("2027-06-01"), 30), Step::Keep, "reopened since sealing: not destroyed");
        assert_eq!(step(last, None, true, d("2026-11-30"), 30), Step::Keep, "not due yet: not counted as held");
    }

    /// Catches a name left in free text, a name matched inside another word, or case missed.
    #[test]
    fn names_are_removed_from_free_text_as_whole_words() {
        let text = "Amélie LAVOIE pushed Sam; amélie's friend Samuel watched.";
        assert_eq!(
            redact(text, &["Amélie", "Lavoie", "Sam"]).unwrap(),
            "[name removed] [name removed] pushed [name removed]; [name removed]'s friend Samuel watched."
        );
        assert_eq!(redact("Nothing here.", &["Lavoie"]), None);
        assert_eq!(redact("A B C", &["B"]), None, "one-letter names are left");
        assert_eq!(
            redact("İsmail and ismail", &["ismail"]).unwrap(),
            "İsmail and [name removed]",
            "no byte-length guess"
        );
        assert_eq!(
            redact("Marie-Claire Da Silva", &["Da", "Silva"]).unwrap(),
            "Marie-Claire [name removed] [name removed]"
        );
    }
}

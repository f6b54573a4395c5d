//! Disclosures to schools (API.md §7, YCJA s. 125(6)–(7)): what an officer told a school about
//! a young person, to whom and why, and until when the school may keep it. The one channel
//! through which a board client sees a young person's name: the board of the school reads it,
//! with the recipient's duties, until it is destroyed or `destroy_by` has passed.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::Carries;
use super::query::{Params, Window};
use super::time::parse_date;
use super::validate::{parse_uuid, FieldError, Fields};
use crate::string_enum;

/// The longest `information` a disclosure may carry (§7).
pub const MAX_INFORMATION: usize = 2000;
/// The longest recipient name or role.
pub const MAX_RECIPIENT: usize = 200;

string_enum! {
    /// Why the information was disclosed (YCJA s. 125(6)(a)–(c)).
    DisclosurePurpose {
        /// To ensure compliance with a youth justice court order or a reintegration leave (s. 125(6)(a)).
        CourtOrderCompliance => "court_order_compliance",
        /// To ensure the safety of staff, students or other persons (s. 125(6)(b)).
        Safety => "safety",
        /// To facilitate the young person's rehabilitation (s. 125(6)(c)).
        Rehabilitation => "rehabilitation",
    }
}

/// The recipient's duties under YCJA s. 125(7), sent with every disclosure so the school has
/// them in hand with the information.
pub const DUTIES: [&str; 3] = [
    "Keep this information separate from any other record of the young person (YCJA s. 125(7)(a)).",
    "Ensure that no other person has access to it except as required for the purpose it was disclosed for (YCJA s. 125(7)(b)).",
    "Destroy it when it is no longer required for that purpose, and at the latest on destroy_by (YCJA s. 125(7)(c)).",
];

/// The young person a disclosure is about, as the recipient needs to recognise them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DisclosedPerson {
    /// The person's id.
    pub id: Uuid,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth, if known.
    pub date_of_birth: Option<NaiveDate>,
}

/// One disclosure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Disclosure {
    /// Server-generated id.
    pub id: Uuid,
    /// The young person.
    pub person: DisclosedPerson,
    /// The school told.
    pub school_id: Uuid,
    /// Who at the school received it.
    pub recipient_name: String,
    /// The recipient's role there ("Principal").
    pub recipient_role: String,
    /// Why it was disclosed.
    pub purpose: DisclosurePurpose,
    /// What was disclosed.
    pub information: String,
    /// When it was disclosed.
    pub disclosed_on: NaiveDate,
    /// The last day the school may keep it.
    pub destroy_by: NaiveDate,
    /// The recipient's duties under YCJA s. 125(7).
    pub duties: Vec<String>,
    /// When the board confirmed receipt (UTC).
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the board confirmed destruction (UTC); the board no longer sees it after that.
    pub destroyed_at: Option<DateTime<Utc>>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl Carries for Disclosure {
    fn record_id(&self) -> Option<Uuid> {
        Some(self.id)
    }

    fn person_ids(&self) -> Vec<Uuid> {
        vec![self.person.id]
    }
}

/// The body of `POST /v1/disclosures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisclosure {
    /// The young person; one the caller may see.
    pub person_id: Uuid,
    /// The school told; for an officer, one it is assigned to on `disclosed_on` or today.
    pub school_id: Uuid,
    /// Who at the school received it.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub recipient_name: String,
    /// The recipient's role there, as the school writes it.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub recipient_role: String,
    /// Why it is disclosed (s. 125(6)(a)–(c)).
    pub purpose: DisclosurePurpose,
    /// What is disclosed.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    pub information: String,
    /// When it was disclosed; not in the future.
    pub disclosed_on: NaiveDate,
    /// The last day the school may keep it: after `disclosed_on`, and at most one year later.
    pub destroy_by: NaiveDate,
}

impl NewDisclosure {
    /// Reads a disclosure body, naming every bad field; `today` is the city's date. The rules
    /// that need the stored data (the person, the school) are the service's.
    pub fn parse(map: &Map<String, Value>, today: NaiveDate) -> Result<NewDisclosure, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let person_id = f.req_uuid("person_id");
        let school_id = f.req_uuid("school_id");
        let recipient_name = f.req_str("recipient_name", MAX_RECIPIENT);
        let recipient_role = f.req_str("recipient_role", MAX_RECIPIENT);
        let purpose: DisclosurePurpose = f.req_enum("purpose");
        let information = f.req_str("information", MAX_INFORMATION);
        let disclosed_on = f.req_with("disclosed_on", |s| {
            let day = parse_date(s)?;
            if day > today {
                return Err(crate::msg!("not_in_future"));
            }
            Ok(day)
        });
        let destroy_by = f.req_with("destroy_by", parse_date);
        if f.clean("disclosed_on") && f.clean("destroy_by") {
            if destroy_by <= disclosed_on {
                f.error("destroy_by", crate::msg!("must_be_after_field", field = "disclosed_on"));
            } else if disclosed_on.checked_add_months(Months::new(12)).is_some_and(|limit| destroy_by > limit) {
                f.error("destroy_by", crate::msg!("at_most_one_year_after_field", field = "disclosed_on"));
            }
        }
        f.finish()?;
        Ok(NewDisclosure {
            person_id,
            school_id,
            recipient_name,
            recipient_role,
            purpose,
            information,
            disclosed_on,
            destroy_by,
        })
    }
}

/// Filters of `GET /v1/disclosures`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureQuery {
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only those to this school.
    pub school_id: Option<Uuid>,
    /// Only this purpose.
    pub purpose: Option<DisclosurePurpose>,
}

impl DisclosureQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(DisclosureQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = DisclosureQuery {
            person_id: p.opt("person_id", parse_uuid),
            school_id: p.opt("school_id", parse_uuid),
            purpose: p.opt_enum("purpose"),
        };
        Ok((query, p.finish()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &str = "00000000-0000-7000-8000-000000000001";

    fn fields(disclosed_on: &str, destroy_by: &str) -> Vec<String> {
        let body = json!({"person_id": P, "school_id": P, "recipient_name": "Ms. Roy", "recipient_role": "Principal",
                          "purpose": "safety", "information": "Bail condition: no contact with a named student.",
                          "disclosed_on": disclosed_on, "destroy_by": destroy_by});
        match NewDisclosure::parse(body.as_object().unwrap(), "2026-12-03".parse().unwrap()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    /// Catches a destroy_by on or before the disclosure, more than a year after it (s. 125(7)(c)
    /// read with §7's one-year cap), or a disclosure dated in the future.
    #[test]
    fn destroy_by_is_after_the_disclosure_and_within_a_year() {
        assert!(fields("2026-12-01", "2026-12-02").is_empty());
        assert!(fields("2026-12-01", "2027-12-01").is_empty(), "exactly one year");
        assert_eq!(fields("2026-12-01", "2027-12-02"), ["destroy_by"]);
        assert_eq!(fields("2026-12-01", "2026-12-01"), ["destroy_by"]);
        assert_eq!(fields("2026-12-01", "2026-11-30"), ["destroy_by"]);
        assert!(fields("2024-02-29", "2025-02-28").is_empty(), "a leap day's year ends on 28 February");
        assert_eq!(fields("2024-02-29", "2025-03-01"), ["destroy_by"]);
        assert_eq!(fields("2026-12-04", "2027-01-01"), ["disclosed_on"]);
        assert!(fields("2025-01-01", "2025-06-01").is_empty(), "already past: allowed (recorded late)");
    }
}

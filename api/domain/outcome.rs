//! Outcomes (API.md §7): the YCJA measure taken for each young person who is a subject of an
//! incident, and the access period it starts. Police use only (s. 119(4)): officers and the
//! unit read and write them; boards, agencies and dashboards never see one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::Carries;
use super::query::{Params, Window};
use super::time::parse_date;
use super::validate::{parse_uuid, FieldError, Fields};
use crate::string_enum;

string_enum! {
    /// The measure taken (YCJA ss. 6–10).
    Measure {
        /// Nothing more was done.
        NoFurtherAction => "no_further_action",
        /// A police warning (s. 6, an extrajudicial measure).
        Warning => "warning",
        /// A police caution (s. 7).
        PoliceCaution => "police_caution",
        /// A referral to a program or agency, with the youth's consent (s. 6(1)).
        Referral => "referral",
        /// An extrajudicial sanction: the formal program, with the youth's consent (s. 10(2)).
        ExtrajudicialSanction => "extrajudicial_sanction",
        /// A charge laid.
        Charge => "charge",
    }
}

string_enum! {
    /// How the youth justice court disposed of a charge (the rows of YCJA s. 119(2)).
    CourtDisposition {
        /// Found not guilty (s. 119(2)(b)).
        Acquitted => "acquitted",
        /// Dismissed (s. 119(2)(c)).
        Dismissed => "dismissed",
        /// Withdrawn (s. 119(2)(c)).
        Withdrawn => "withdrawn",
        /// Stayed (s. 119(2)(d)).
        Stayed => "stayed",
        /// Found guilty; a reprimand (s. 119(2)(e)).
        Reprimand => "reprimand",
        /// Found guilty; an absolute discharge (s. 119(2)(f)).
        AbsoluteDischarge => "absolute_discharge",
        /// Found guilty; a conditional discharge (s. 119(2)(g)).
        ConditionalDischarge => "conditional_discharge",
        /// Convicted of a summary conviction offence (s. 119(2)(h)).
        SummaryConviction => "summary_conviction",
        /// Convicted of an indictable offence (s. 119(2)(i)).
        IndictableConviction => "indictable_conviction",
    }
}

impl Measure {
    /// Needs the young person's consent (`referral` s. 6(1), `extrajudicial_sanction` s. 10(2)).
    pub fn needs_consent(self) -> bool {
        matches!(self, Measure::Referral | Measure::ExtrajudicialSanction)
    }

    /// Open to a child under 12, to whom no youth-justice measure applies.
    pub fn allowed_under_12(self) -> bool {
        matches!(self, Measure::NoFurtherAction | Measure::Referral)
    }
}

impl CourtDisposition {
    /// A conviction, whose period runs from the completion of the youth sentence.
    pub fn is_conviction(self) -> bool {
        matches!(self, CourtDisposition::SummaryConviction | CourtDisposition::IndictableConviction)
    }
}

/// One outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncidentOutcome {
    /// Server-generated id.
    pub id: Uuid,
    /// The incident.
    pub incident_id: Uuid,
    /// The young person: a `subject` of the incident.
    pub person_id: Uuid,
    /// The measure taken.
    pub measure: Measure,
    /// When it was decided.
    pub decided_on: NaiveDate,
    /// When the young person consented (required for `referral` and `extrajudicial_sanction`).
    pub youth_consent_obtained_on: Option<NaiveDate>,
    /// The court's disposition of a charge.
    pub court_disposition: Option<CourtDisposition>,
    /// The day of the disposition.
    pub disposition_on: Option<NaiveDate>,
    /// When the youth sentence was completed (convictions only).
    pub sentence_completed_on: Option<NaiveDate>,
    /// The last day of the YCJA s. 119(2) access period; null while it cannot be known (a
    /// pending charge, a sentence not completed) or when no period applies (18 or over).
    pub access_period_ends_on: Option<NaiveDate>,
    /// The row of the table applied, e.g. `charge+stayed: 1 year from disposition_on`.
    pub access_period_rule: String,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl Carries for IncidentOutcome {
    fn record_id(&self) -> Option<Uuid> {
        Some(self.id)
    }

    fn person_ids(&self) -> Vec<Uuid> {
        vec![self.person_id]
    }
}

/// The body of `POST /v1/incidents/{id}/outcomes`; also the base a PATCH merges into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncidentOutcome {
    /// The young person: one of the incident's `involved` with role `subject`.
    pub person_id: Uuid,
    /// The measure taken.
    pub measure: Measure,
    /// When it was decided; not in the future.
    pub decided_on: NaiveDate,
    /// When the young person consented; required for `referral` and `extrajudicial_sanction`.
    pub youth_consent_obtained_on: Option<NaiveDate>,
    /// Only with `measure: charge`.
    pub court_disposition: Option<CourtDisposition>,
    /// Required with `court_disposition`, and only with it; not before `decided_on`.
    pub disposition_on: Option<NaiveDate>,
    /// Only for the two convictions; not before `disposition_on`.
    pub sentence_completed_on: Option<NaiveDate>,
}

/// What the access period is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeFacts {
    /// The measure.
    pub measure: Measure,
    /// When it was decided.
    pub decided_on: NaiveDate,
    /// The youth's consent.
    pub youth_consent_obtained_on: Option<NaiveDate>,
    /// The court's disposition.
    pub court_disposition: Option<CourtDisposition>,
    /// Its day.
    pub disposition_on: Option<NaiveDate>,
    /// The end of the sentence.
    pub sentence_completed_on: Option<NaiveDate>,
}

impl From<&NewIncidentOutcome> for OutcomeFacts {
    fn from(o: &NewIncidentOutcome) -> Self {
        OutcomeFacts {
            measure: o.measure,
            decided_on: o.decided_on,
            youth_consent_obtained_on: o.youth_consent_obtained_on,
            court_disposition: o.court_disposition,
            disposition_on: o.disposition_on,
            sentence_completed_on: o.sentence_completed_on,
        }
    }
}

fn past_date(today: NaiveDate) -> impl Fn(&str) -> Result<NaiveDate, super::i18n::Msg> {
    move |s| {
        let day = parse_date(s)?;
        if day > today {
            return Err(crate::msg!("not_in_future"));
        }
        Ok(day)
    }
}

impl NewIncidentOutcome {
    /// Reads an outcome body, naming every bad field; `today` is the city's date. The rules
    /// that need the incident (subject, age) are the service's.
    pub fn parse(map: &Map<String, Value>, today: NaiveDate) -> Result<NewIncidentOutcome, Vec<FieldError>> {
        let mut f = Fields::new(map, "");
        let person_id = f.req_uuid("person_id");
        let measure: Measure = f.req_enum("measure");
        let decided_on = f.req_with("decided_on", past_date(today));
        let youth_consent_obtained_on = f.opt_with("youth_consent_obtained_on", past_date(today));
        let court_disposition: Option<CourtDisposition> = f.opt_enum("court_disposition");
        let disposition_on = f.opt_with("disposition_on", past_date(today));
        let sentence_completed_on = f.opt_with("sentence_completed_on", past_date(today));
        let measure_known = f.clean("measure");
        if measure_known
            && measure.needs_consent()
            && f.clean("youth_consent_obtained_on")
            && youth_consent_obtained_on.is_none()
        {
            f.error("youth_consent_obtained_on", crate::msg!("youth_consent_required_for_measure", measure = measure));
        }
        if let Some(disposition) = court_disposition {
            if measure_known && measure != Measure::Charge {
                f.error("court_disposition", crate::msg!("only_for_measure_charge"));
            }
            if f.clean("disposition_on") && disposition_on.is_none() {
                f.error("disposition_on", crate::msg!("required_with_field", field = "court_disposition"));
            }
            if !disposition.is_conviction() && sentence_completed_on.is_some() {
                f.error("sentence_completed_on", crate::msg!("only_for_convictions"));
            }
        } else if f.clean("court_disposition") {
            if disposition_on.is_some() {
                f.error("disposition_on", crate::msg!("only_with_field", field = "court_disposition"));
            }
            if sentence_completed_on.is_some() {
                f.error("sentence_completed_on", crate::msg!("only_for_convictions"));
            }
        }
        if let (Some(on), true) = (disposition_on, f.clean("decided_on")) {
            if on < decided_on {
                f.error("disposition_on", crate::msg!("not_before_field", field = "decided_on"));
            }
        }
        if let (Some(done), Some(on)) = (sentence_completed_on, disposition_on) {
            if done < on {
                f.error("sentence_completed_on", crate::msg!("not_before_field", field = "disposition_on"));
            }
        }
        f.finish()?;
        Ok(NewIncidentOutcome {
            person_id,
            measure,
            decided_on,
            youth_consent_obtained_on,
            court_disposition,
            disposition_on,
            sentence_completed_on,
        })
    }
}

impl From<&IncidentOutcome> for NewIncidentOutcome {
    fn from(o: &IncidentOutcome) -> Self {
        NewIncidentOutcome {
            person_id: o.person_id,
            measure: o.measure,
            decided_on: o.decided_on,
            youth_consent_obtained_on: o.youth_consent_obtained_on,
            court_disposition: o.court_disposition,
            disposition_on: o.disposition_on,
            sentence_completed_on: o.sentence_completed_on,
        }
    }
}

/// Filters of `GET /v1/outcomes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeQuery {
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only this measure.
    pub measure: Option<Measure>,
    /// Access period ending on or after this day.
    pub access_period_ends_from: Option<NaiveDate>,
    /// Access period ending before this day.
    pub access_period_ends_to: Option<NaiveDate>,
}

impl OutcomeQuery {
    /// Reads the filters and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(OutcomeQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = OutcomeQuery {
            person_id: p.opt("person_id", parse_uuid),
            measure: p.opt_enum("measure"),
            access_period_ends_from: p.opt("access_period_ends_from", parse_date),
            access_period_ends_to: p.opt("access_period_ends_to", parse_date),
        };
        Ok((query, p.finish()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> Result<NewIncidentOutcome, Vec<FieldError>> {
        NewIncidentOutcome::parse(body.as_object().unwrap(), "2026-12-03".parse().unwrap())
    }

    fn fields(body: Value) -> Vec<String> {
        parse(body).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    const P: &str = "00000000-0000-7000-8000-000000000001";

    /// Catches a referral or sanction recorded without the consent ss. 6(1) and 10(2) require.
    #[test]
    fn referrals_and_sanctions_need_the_youths_consent() {
        for measure in ["referral", "extrajudicial_sanction"] {
            let body = json!({"person_id": P, "measure": measure, "decided_on": "2026-11-01"});
            assert_eq!(fields(body), ["youth_consent_obtained_on"], "{measure}");
        }
        assert!(parse(json!({"person_id": P, "measure": "warning", "decided_on": "2026-11-01"})).is_ok());
    }

    /// Catches a court disposition accepted on a measure other than a charge, without its day,
    /// or a sentence date where the table has no use for one.
    #[test]
    fn court_dispositions_belong_to_charges_and_bring_their_dates() {
        let base = json!({"person_id": P, "measure": "warning", "decided_on": "2026-11-01",
                          "court_disposition": "stayed", "disposition_on": "2026-11-20"});
        assert_eq!(fields(base), ["court_disposition"]);
        let no_day =
            json!({"person_id": P, "measure": "charge", "decided_on": "2026-11-01", "court_disposition": "stayed"});
        assert_eq!(fields(no_day), ["disposition_on"]);
        let day_alone =
            json!({"person_id": P, "measure": "charge", "decided_on": "2026-11-01", "disposition_on": "2026-11-20"});
        assert_eq!(fields(day_alone), ["disposition_on"]);
        let sentence = json!({"person_id": P, "measure": "charge", "decided_on": "2026-11-01",
                              "court_disposition": "stayed", "disposition_on": "2026-11-20", "sentence_completed_on": "2026-11-30"});
        assert_eq!(fields(sentence), ["sentence_completed_on"]);
        let ok = json!({"person_id": P, "measure": "charge", "decided_on": "2026-11-01",
                        "court_disposition": "summary_conviction", "disposition_on": "2026-11-20", "sentence_completed_on": "2026-11-30"});
        assert!(parse(ok).is_ok());
        let backwards = json!({"person_id": P, "measure": "charge", "decided_on": "2026-11-01",
                               "court_disposition": "dismissed", "disposition_on": "2026-10-20"});
        assert_eq!(fields(backwards), ["disposition_on"]);
        let future = json!({"person_id": P, "measure": "warning", "decided_on": "2026-12-04"});
        assert_eq!(fields(future), ["decided_on"]);
    }
}

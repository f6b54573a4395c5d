//! A small city for the case-record tests: two schools of two boards, an officer assigned to
//! each, two agencies, a youth at each school with an incident (and its outcome, a warning), a
//! referral, a service request and a presentation, and a client of every kind.

use serde_json::{json, Value};
use uuid::Uuid;

use super::{TestApp, OCDSB, OCSB};
use sro_api::domain::access::Role;

/// Everything a case-record test needs, by school: `a` is OCDSB's school, `b` OCSB's.
pub struct World {
    pub admin: String,
    pub officer_a: String,
    pub officer_b: String,
    pub board_a: String,
    pub board_b: String,
    pub agency_x: String,
    pub agency_y: String,
    pub dashboard: String,
    pub school_a: String,
    pub school_b: String,
    pub officer_a_id: String,
    pub officer_b_id: String,
    pub agency_x_id: String,
    pub agency_y_id: String,
    pub person_a: String,
    pub person_b: String,
    pub incident_a: String,
    pub incident_b: String,
    pub referral_a: String,
    pub referral_b: String,
    pub request_a: String,
    pub request_b: String,
    pub talk_a: String,
    pub talk_b: String,
    pub outcome_a: String,
    pub outcome_b: String,
}

/// The names of the youth, which must never reach a board or a dashboard.
pub const NAMES: &[&str] = &["Amélie", "Lavoie", "Jordan", "Whitecloud"];

/// A valid incident body at `school` involving `person` as subject.
pub fn incident_body(school: &str, person: &str) -> Value {
    json!({
        "school_id": school,
        "occurred_at": "2026-11-20T15:30:00Z",
        "location": "school_property",
        "during_school_hours": true,
        "category": "bullying",
        "summary": "Repeated name-calling in the cafeteria.",
        "involved": [{"person_id": person, "role": "subject"}]
    })
}

/// A valid referral body for `person` to `agency`.
pub fn referral_body(person: &str, agency: &str) -> Value {
    json!({
        "person_id": person,
        "agency_id": agency,
        "category": "youth_services",
        "urgency": "routine",
        "reason": "Would benefit from the after-school mentoring program.",
        "consent": {"given_by": "guardian", "obtained_on": "2026-11-20"}
    })
}

/// A valid presentation body at `school` by `officer`.
pub fn talk_body(school: &str, officer: &str) -> Value {
    json!({"school_id": school, "officer_id": officer, "delivered_on": "2026-11-20",
           "topic": "Online safety", "grades": [7, 8], "audience_size": 60, "language": "en"})
}

/// A valid service request body at `school`.
pub fn request_body(school: &str) -> Value {
    json!({"school_id": school, "kind": "consultation", "details": "Advice on a lockdown drill.",
           "requested_by": {"name": "Sandra Kowalski", "role": "Vice-principal"}})
}

fn id(res: &super::Resp) -> String {
    assert!(res.status == 201, "{}", res.text);
    res.body["id"].as_str().expect("id").to_owned()
}

impl World {
    /// Builds the world through the API, as the unit would.
    pub async fn build(app: &TestApp) -> World {
        let admin = app.admin().await;
        let school_a = app.school(&admin, "900001", OCDSB).await["id"].as_str().unwrap().to_owned();
        let school_b = app.school(&admin, "900002", OCSB).await["id"].as_str().unwrap().to_owned();
        let officer_a_id = app.officer(&admin, "7001").await["id"].as_str().unwrap().to_owned();
        let officer_b_id = app.officer(&admin, "7002").await["id"].as_str().unwrap().to_owned();
        for (school, officer) in [(&school_a, &officer_a_id), (&school_b, &officer_b_id)] {
            let res = app
                .post(
                    "/v1/assignments",
                    &admin,
                    &json!({"school_id": school, "officer_id": officer, "role": "primary", "starts_on": "2026-01-01"}),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.text);
        }
        let agency_x_id = app.new_agency("Children's Aid Society of Ottawa", "child_protection").await.to_string();
        let agency_y_id = app.new_agency("Maison des jeunes", "youth_services").await.to_string();
        let officer_a = app.token_for(Role::Officer, None, Some(Uuid::parse_str(&officer_a_id).unwrap()), None).await;
        let officer_b = app.token_for(Role::Officer, None, Some(Uuid::parse_str(&officer_b_id).unwrap()), None).await;
        let board_a = app.board(OCDSB).await;
        let board_b = app.board(OCSB).await;
        let agency_x = app.agency_token(Uuid::parse_str(&agency_x_id).unwrap()).await;
        let agency_y = app.agency_token(Uuid::parse_str(&agency_y_id).unwrap()).await;
        let dashboard = app.token_for(Role::Dashboard, None, None, None).await;

        let person = |school: &str, given: &str, family: &str| {
            json!({"given_name": given, "family_name": family, "date_of_birth": "2011-04-02",
                   "school_id": school, "guardian_name": "Parent", "guardian_phone": "613-555-0199", "language": "fr"})
        };
        let person_a = id(&app.post("/v1/persons", &admin, &person(&school_a, NAMES[0], NAMES[1])).await);
        let person_b = id(&app.post("/v1/persons", &admin, &person(&school_b, NAMES[2], NAMES[3])).await);
        let incident_a = id(&app.post("/v1/incidents", &admin, &incident_body(&school_a, &person_a)).await);
        let incident_b = id(&app.post("/v1/incidents", &admin, &incident_body(&school_b, &person_b)).await);
        let mut referral = referral_body(&person_a, &agency_x_id);
        referral["officer_id"] = json!(officer_a_id);
        referral["incident_id"] = json!(incident_a);
        let referral_a = id(&app.post("/v1/referrals", &admin, &referral).await);
        let mut referral = referral_body(&person_b, &agency_y_id);
        referral["officer_id"] = json!(officer_b_id);
        let referral_b = id(&app.post("/v1/referrals", &admin, &referral).await);
        let request_a = id(&app.post("/v1/service-requests", &admin, &request_body(&school_a)).await);
        let request_b = id(&app.post("/v1/service-requests", &admin, &request_body(&school_b)).await);
        let talk_a = id(&app.post("/v1/presentations", &admin, &talk_body(&school_a, &officer_a_id)).await);
        let talk_b = id(&app.post("/v1/presentations", &admin, &talk_body(&school_b, &officer_b_id)).await);
        let outcome = |person: &str| json!({"person_id": person, "measure": "warning", "decided_on": "2026-11-21"});
        let outcome_a =
            id(&app.post(&format!("/v1/incidents/{incident_a}/outcomes"), &admin, &outcome(&person_a)).await);
        let outcome_b =
            id(&app.post(&format!("/v1/incidents/{incident_b}/outcomes"), &admin, &outcome(&person_b)).await);
        World {
            admin,
            officer_a,
            officer_b,
            board_a,
            board_b,
            agency_x,
            agency_y,
            dashboard,
            school_a,
            school_b,
            officer_a_id,
            officer_b_id,
            agency_x_id,
            agency_y_id,
            person_a,
            person_b,
            incident_a,
            incident_b,
            referral_a,
            referral_b,
            request_a,
            request_b,
            talk_a,
            talk_b,
            outcome_a,
            outcome_b,
        }
    }
}

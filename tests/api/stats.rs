//! Statistics (API.md §4, §6 "Statistics"): counts equal to a direct SQL `GROUP BY` on the
//! same database, periods, the median hours to acknowledgement, a board's scope, coverage, the
//! dashboard's suppression, bad parameters and who may ask.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::world::{incident_body, referral_body, World};
use crate::support::*;
use sro_api::db::schema::{referral_history, referrals};
use sro_api::domain::access::Role;

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = Nullable<Text>)]
    k: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Instant {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
}

/// Runs a `SELECT k, n` on the app's database.
fn sql_counts(app: &TestApp, sql: &str) -> BTreeMap<String, i64> {
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query(sql)
        .load::<Group>(&mut *conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|g| (g.k.unwrap_or_else(|| "NULL".into()), g.n))
        .collect()
}

/// `(id, timestamp)` rows of a query, in its order.
fn sql_instants(app: &TestApp, sql: &str) -> Vec<(String, NaiveDateTime)> {
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query(sql).load::<Instant>(&mut *conn).unwrap().into_iter().map(|r| (r.id, r.at)).collect()
}

/// An answer's `data` as key → count (null counts as -1).
fn counts(res: &Resp) -> BTreeMap<String, i64> {
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_i64().unwrap_or(-1)))
        .collect()
}

fn keys(res: &Resp) -> Vec<String> {
    res.body["data"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_owned()).collect()
}

fn cell<'a>(res: &'a Resp, key: &str) -> &'a Value {
    res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("{key}: {}", res.text))
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A fresh app on a database holding the demo data set (`sro-api demo`).
async fn demo_app() -> TestApp {
    let db = TestDb::create();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sro-api"))
        .arg("demo")
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    TestApp::spawn_on(db).await
}

/// The SQL key expression of each incident grouping (`i` is incidents, `s` its school).
const INCIDENT_KEYS: &[(&str, &str)] = &[
    ("category", "i.category"),
    ("resolution", "COALESCE(i.resolution, 'unresolved')"),
    ("location", "i.location"),
    ("school", "i.school_id"),
    ("board", "COALESCE(s.board_id, 'private')"),
    ("month", "substr(CAST(i.occurred_on AS TEXT), 1, 7)"),
];

const REFERRAL_KEYS: &[(&str, &str)] = &[("agency", "r.agency_id"), ("status", "r.status"), ("category", "r.category")];

fn incident_sql(key: &str, filter: &str) -> String {
    format!(
        "SELECT {key} AS k, COUNT(*) AS n FROM incidents i JOIN schools s ON s.id = i.school_id \
         WHERE {filter} GROUP BY {key}"
    )
}

fn referral_sql(key: &str, filter: &str) -> String {
    format!("SELECT {key} AS k, COUNT(*) AS n FROM referrals r WHERE {filter} GROUP BY {key}")
}

/// Catches: a grouping on the wrong column, a group dropped or counted twice, records with no
/// resolution or no board lost, months mislabelled or folded wrongly, a period bound off
/// by one (`from` not inclusive, `to` not exclusive), the period applied to the wrong
/// timestamp, or groups out of key order.
#[actix_rt::test]
async fn the_admins_counts_equal_a_direct_sql_group_by_for_every_grouping_with_and_without_a_period() {
    let app = demo_app().await;
    let admin = app.admin().await;

    // A period whose bounds are the instants of real records: the first is in, the last is out.
    let occurred = sql_instants(&app, "SELECT id, occurred_at AS at FROM incidents ORDER BY occurred_at, id");
    assert!(occurred.len() > 100, "the demo has incidents: {}", occurred.len());
    let (from_id, from) = occurred[occurred.len() / 4].clone();
    let (to_id, to) = occurred[occurred.len() * 3 / 4].clone();
    let in_period = format!(
        "i.occurred_at >= (SELECT occurred_at FROM incidents WHERE id = '{from_id}') \
         AND i.occurred_at < (SELECT occurred_at FROM incidents WHERE id = '{to_id}')"
    );
    let mut totals = Vec::new();
    for (group, key) in INCIDENT_KEYS {
        for (period, filter) in
            [("", "1 = 1".to_owned()), (&*format!("&from={}&to={}", rfc3339(from), rfc3339(to)), in_period.clone())]
        {
            let res = app.get(&format!("/v1/stats/incidents?group_by={group}{period}"), &admin).await;
            let expected = sql_counts(&app, &incident_sql(key, &filter));
            assert_eq!(counts(&res), expected, "group_by={group}{period}");
            assert_eq!(res.body["group_by"], *group);
            let mut sorted = keys(&res);
            sorted.sort();
            assert_eq!(keys(&res), sorted, "ordered by key: group_by={group}");
            assert_eq!(res.body["total"], expected.values().sum::<i64>(), "group_by={group}{period}");
            assert_eq!(res.body["total_suppressed"], false);
            if period.is_empty() {
                totals.push(res.body["total"].as_i64().unwrap());
            } else {
                let echoed = chrono::DateTime::parse_from_rfc3339(res.body["from"].as_str().unwrap()).unwrap();
                assert_eq!(echoed.naive_utc(), from, "{}", res.text);
            }
        }
    }
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "every grouping counts every incident once: {totals:?}");

    // Labels: a school's name, a month's name, the groups without a value.
    let by_school = app.get("/v1/stats/incidents?group_by=school", &admin).await;
    let first = &by_school.body["data"][0];
    let school = app.get(&format!("/v1/schools/{}", first["key"].as_str().unwrap()), &admin).await;
    assert_eq!(first["label"], school.body["name"]);
    let by_month = app.get("/v1/stats/incidents?group_by=month", &admin).await;
    let first = &by_month.body["data"][0];
    let month = NaiveDate::parse_from_str(&format!("{}-01", first["key"].as_str().unwrap()), "%Y-%m-%d").unwrap();
    assert_eq!(first["label"], month.format("%B %Y").to_string());
    let by_resolution = app.get("/v1/stats/incidents?group_by=resolution", &admin).await;
    assert_eq!(cell(&by_resolution, "unresolved")["label"], "Not resolved yet");
    assert_eq!(cell(&by_resolution, "no_further_action")["label"], "No further action");

    let created = sql_instants(&app, "SELECT id, created_at AS at FROM referrals ORDER BY created_at, id");
    assert!(created.len() > 20, "the demo has referrals: {}", created.len());
    let (from_id, from) = created[created.len() / 3].clone();
    let (to_id, to) = created[created.len() * 2 / 3].clone();
    let in_period = format!(
        "r.created_at >= (SELECT created_at FROM referrals WHERE id = '{from_id}') \
         AND r.created_at < (SELECT created_at FROM referrals WHERE id = '{to_id}')"
    );
    for (group, key) in REFERRAL_KEYS {
        for (period, filter) in
            [("", "1 = 1".to_owned()), (&*format!("&from={}&to={}", rfc3339(from), rfc3339(to)), in_period.clone())]
        {
            let res = app.get(&format!("/v1/stats/referrals?group_by={group}{period}"), &admin).await;
            let expected = sql_counts(&app, &referral_sql(key, &filter));
            assert_eq!(counts(&res), expected, "group_by={group}{period}");
            assert_eq!(res.body["total"], expected.values().sum::<i64>());
        }
    }
    let by_agency = app.get("/v1/stats/referrals?group_by=agency", &admin).await;
    let cas =
        by_agency.body["data"].as_array().unwrap().iter().find(|c| c["label"] == "Children's Aid Society of Ottawa");
    assert!(
        cas.is_some_and(|c| c["median_hours_to_acknowledgement"].as_f64().is_some_and(|h| h > 0.0)),
        "{}",
        by_agency.text
    );

    // Coverage: the demo gives every school a primary SRO.
    let coverage = app.get("/v1/stats/coverage", &admin).await;
    assert_eq!(coverage.status, 200, "{}", coverage.text);
    let open = sql_counts(&app, "SELECT 'all' AS k, COUNT(*) AS n FROM schools WHERE active = TRUE");
    assert_eq!(coverage.body["schools"], open["all"]);
    assert_eq!(coverage.body["schools_with_sro"], open["all"]);
    assert_eq!(coverage.body["total"], open["all"]);
    let by_board = sql_counts(&app, "SELECT COALESCE(board_id, 'private') AS k, COUNT(*) AS n FROM schools WHERE active = TRUE GROUP BY COALESCE(board_id, 'private')");
    assert_eq!(counts(&coverage), by_board);
}

/// Catches: a board counting other boards' incidents (a missing policy filter), or the board
/// grouping leaking other boards' groups; and a board reaching referral counts it never sees.
#[actix_rt::test]
async fn a_boards_counts_are_the_sql_counts_restricted_to_its_own_schools() {
    let app = demo_app().await;
    let board = app.board(OCSB).await;
    let own = format!("s.board_id = '{OCSB}'");
    for (group, key) in INCIDENT_KEYS {
        let res = app.get(&format!("/v1/stats/incidents?group_by={group}"), &board).await;
        let expected = sql_counts(&app, &incident_sql(key, &own));
        assert!(!expected.is_empty());
        assert_eq!(counts(&res), expected, "group_by={group}");
    }
    let by_board = app.get("/v1/stats/incidents?group_by=board", &board).await;
    assert_eq!(keys(&by_board), [OCSB]);
    let coverage = app.get("/v1/stats/coverage", &board).await;
    assert_eq!(keys(&coverage), [OCSB]);
    let open = sql_counts(&app, &format!("SELECT board_id AS k, COUNT(*) AS n FROM schools WHERE active = TRUE AND board_id = '{OCSB}' GROUP BY board_id"));
    assert_eq!(coverage.body["schools"], open[OCSB]);
    app.get("/v1/stats/referrals", &board).await.assert_problem(403, "forbidden");
}

/// Catches: a median over every referral (the unacknowledged ones too), over the last
/// acknowledgement instead of the first, a mean instead of a median, or a median that mixes
/// groups.
#[actix_rt::test]
async fn the_median_hours_to_acknowledgement_is_the_middle_of_each_groups_first_acknowledgements() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t0 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap().and_hms_opt(12, 0, 0).unwrap();
    // Hours to the first acknowledgement: X 2, 5, 30 (median 5); Y 1, 2, 4, 10 (median 3) and
    // one not acknowledged.
    let (x, y) = ((w.agency_x_id.as_str(), w.person_a.as_str()), (w.agency_y_id.as_str(), w.person_b.as_str()));
    let plan =
        [(x, Some(2)), (x, Some(5)), (x, Some(30)), (y, Some(1)), (y, Some(2)), (y, Some(4)), (y, Some(10)), (y, None)];
    let mut conn = app.state.pool.get().unwrap();
    // The world's own two referrals are left out of the period below.
    for (n, ((agency, person), hours)) in plan.into_iter().enumerate() {
        let res = app.post("/v1/referrals", &w.admin, &referral_body(person, agency)).await;
        assert_eq!(res.status, 201, "{}", res.text);
        let id = res.body["id"].as_str().unwrap().to_owned();
        let created = t0 + Duration::days(n as i64);
        diesel::update(referrals::table.find(&id)).set(referrals::created_at.eq(created)).execute(&mut *conn).unwrap();
        let Some(hours) = hours else { continue };
        let path = format!("/v1/referrals/{id}/status");
        let res = app.post(&path, &w.admin, &json!({"status": "acknowledged"})).await;
        assert_eq!(res.status, 200, "{}", res.text);
        let acknowledged = referral_history::table
            .filter(referral_history::referral_id.eq(&id))
            .filter(referral_history::status.eq("acknowledged"));
        diesel::update(acknowledged)
            .set(referral_history::at.eq(created + Duration::hours(hours)))
            .execute(&mut *conn)
            .unwrap();
        if hours == 2 && agency == x.0 {
            // A second, later acknowledgement (a corrected record): the first one counts.
            let by: String = referral_history::table
                .filter(referral_history::referral_id.eq(&id))
                .select(referral_history::by_client)
                .first(&mut *conn)
                .unwrap();
            diesel::insert_into(referral_history::table)
                .values((
                    referral_history::id.eq(Uuid::now_v7().to_string()),
                    referral_history::referral_id.eq(&id),
                    referral_history::status.eq("acknowledged"),
                    referral_history::at.eq(created + Duration::hours(100)),
                    referral_history::by_client.eq(by),
                    referral_history::note.eq(Some("Acknowledged again")),
                ))
                .execute(&mut *conn)
                .unwrap();
        }
    }
    drop(conn);
    let period = "from=2026-11-02T00:00:00Z&to=2026-11-11T00:00:00Z";
    let res = app.get(&format!("/v1/stats/referrals?group_by=agency&{period}"), &w.admin).await;
    assert_eq!(counts(&res), BTreeMap::from([(w.agency_x_id.clone(), 3), (w.agency_y_id.clone(), 5)]));
    assert_eq!(cell(&res, &w.agency_x_id)["median_hours_to_acknowledgement"], 5.0, "{}", res.text);
    assert_eq!(cell(&res, &w.agency_y_id)["median_hours_to_acknowledgement"], 3.0, "{}", res.text);
    assert_eq!(cell(&res, &w.agency_y_id)["label"], "Maison des jeunes");
    // By status: the seven acknowledged ones (1, 2, 2, 4, 5, 10, 30: median 4); none for the
    // submitted one.
    let res = app.get(&format!("/v1/stats/referrals?group_by=status&{period}"), &w.admin).await;
    assert_eq!(counts(&res), BTreeMap::from([("acknowledged".into(), 7), ("submitted".into(), 1)]));
    assert_eq!(cell(&res, "acknowledged")["median_hours_to_acknowledgement"], 4.0);
    assert_eq!(cell(&res, "submitted")["median_hours_to_acknowledgement"], Value::Null);
    assert_eq!(cell(&res, "submitted")["label"], "Submitted");
}

/// Catches: suppression not applied to the dashboard, applied to other roles, a lone
/// suppressed count left recoverable from the total (no complementary suppression), a total
/// shown that is the one suppressed count or is small itself, or a suppressed group's median
/// shown.
#[actix_rt::test]
async fn the_dashboards_small_counts_are_suppressed_with_a_complement_and_a_telling_total_withheld() {
    let app = TestApp::spawn_with(|c| c.suppression_min_count = 3).await;
    let w = World::build(&app).await;
    // Bullying 2 (the world's), theft 4, assault 6, the extra ones at school A on the 25th.
    for (category, n) in [("theft", 4), ("assault", 6)] {
        for _ in 0..n {
            let mut body = incident_body(&w.school_a, &w.person_a);
            body["category"] = json!(category);
            body["occurred_at"] = json!("2026-11-25T14:00:00Z");
            let res = app.post("/v1/incidents", &w.admin, &body).await;
            assert_eq!(res.status, 201, "{}", res.text);
        }
    }
    let res = app.get("/v1/stats/incidents?group_by=category", &w.dashboard).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["data"],
        json!([
            {"key": "assault", "label": "Assault", "count": 6, "suppressed": false},
            {"key": "bullying", "label": "Bullying", "count": null, "suppressed": true},
            {"key": "theft", "label": "Theft", "count": null, "suppressed": true},
        ]),
        "bullying (2) is suppressed and theft (4), the smallest other, with it"
    );
    assert_eq!((res.body["total"].clone(), res.body["total_suppressed"].clone()), (json!(12), json!(false)));
    // The admin and a board see the same numbers unsuppressed.
    let res = app.get("/v1/stats/incidents?group_by=category", &w.admin).await;
    assert_eq!(counts(&res), BTreeMap::from([("assault".into(), 6), ("bullying".into(), 2), ("theft".into(), 4)]));
    let on_the_20th = "from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
    let res = app.get(&format!("/v1/stats/incidents?group_by=category&{on_the_20th}"), &w.board_a).await;
    assert_eq!(res.body["data"], json!([{"key": "bullying", "label": "Bullying", "count": 1, "suppressed": false}]));

    // One group only, suppressed: the total would be its count.
    let res = app.get(&format!("/v1/stats/incidents?group_by=category&{on_the_20th}"), &w.dashboard).await;
    assert_eq!(res.body["data"], json!([{"key": "bullying", "label": "Bullying", "count": null, "suppressed": true}]));
    assert_eq!((res.body["total"].clone(), res.body["total_suppressed"].clone()), (Value::Null, json!(true)));
    // Two groups of 1: both suppressed, and their total of 2 is small itself.
    let res = app.get(&format!("/v1/stats/incidents?group_by=school&{on_the_20th}"), &w.dashboard).await;
    assert_eq!(counts(&res).values().copied().collect::<Vec<_>>(), [-1, -1]);
    assert_eq!((res.body["total"].clone(), res.body["total_suppressed"].clone()), (Value::Null, json!(true)));
    // A suppressed referral group's median is withheld too.
    let path = format!("/v1/referrals/{}/status", w.referral_a);
    assert_eq!(app.post(&path, &w.admin, &json!({"status": "acknowledged"})).await.status, 200);
    let res = app.get("/v1/stats/referrals?group_by=agency", &w.dashboard).await;
    for c in res.body["data"].as_array().unwrap() {
        assert_eq!((c["count"].clone(), c["suppressed"].clone()), (Value::Null, json!(true)), "{c}");
        assert_eq!(c["median_hours_to_acknowledgement"], Value::Null, "{c}");
    }
    assert_eq!(res.body["total"], Value::Null);
    let res = app.get("/v1/stats/referrals?group_by=agency", &w.admin).await;
    assert!(cell(&res, &w.agency_x_id)["median_hours_to_acknowledgement"].is_f64(), "{}", res.text);
    // Coverage counts schools, not persons: a group of one school is shown.
    let res = app.get("/v1/stats/coverage", &w.dashboard).await;
    assert_eq!(counts(&res), BTreeMap::from([(OCDSB.into(), 1), (OCSB.into(), 1)]));
}

/// Catches: coverage counting a closed school, a backup or ended assignment as the school's
/// SRO, an officer twice, or private schools lost.
#[actix_rt::test]
async fn coverage_counts_open_schools_with_a_primary_sro_today_and_the_officers_who_are_those_sros() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let assign = |school: String, officer: String, role: &str, starts: String, ends: Option<String>| json!({"school_id": school, "officer_id": officer, "role": role, "starts_on": starts, "ends_on": ends});
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    // OCDSB: A (officer A), C (a backup only), F (officer A again), E closed (officer B).
    let c = id(app.school(&w.admin, "900003", OCDSB).await);
    let f = id(app.school(&w.admin, "900004", OCDSB).await);
    let e = id(app.school(&w.admin, "900005", OCDSB).await);
    let res = app.post("/v1/schools", &w.admin, &school_body("900006", None, "private")).await;
    let d = id(res.body);
    for body in [
        assign(c, w.officer_b_id.clone(), "backup", day(-30), None),
        assign(f, w.officer_a_id.clone(), "primary", day(-30), None),
        assign(e.clone(), w.officer_b_id.clone(), "primary", day(-30), None),
        // The private school's SRO left yesterday.
        assign(d, w.officer_b_id.clone(), "primary", day(-30), Some(day(-1))),
    ] {
        let res = app.post("/v1/assignments", &w.admin, &body).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = app.patch(&format!("/v1/schools/{e}"), &w.admin, &json!({"active": false})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.officer(&w.admin, "7003").await;

    let res = app.get("/v1/stats/coverage?group_by=board", &w.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let row = |key: &str| {
        let c = cell(&res, key);
        (c["count"].clone(), c["schools_with_sro"].clone(), c["officers"].clone(), c["schools_per_officer"].clone())
    };
    assert_eq!(row(OCDSB), (json!(3), json!(2), json!(1), json!(2.0)));
    assert_eq!(row(OCSB), (json!(1), json!(1), json!(1), json!(1.0)));
    assert_eq!(row("private"), (json!(1), json!(0), json!(0), Value::Null));
    assert_eq!(cell(&res, "private")["label"], "Private schools");
    assert_eq!(keys(&res), [OCDSB, OCSB, "private"]);
    let top = |k: &str| res.body[k].clone();
    assert_eq!(
        (top("schools"), top("schools_with_sro"), top("officers"), top("active_officers"), top("schools_per_officer")),
        (json!(5), json!(3), json!(2), json!(3), json!(1.5))
    );
    assert_eq!(top("on"), json!(today().to_string()));
    let board = app.get("/v1/stats/coverage", &w.board_a).await;
    assert_eq!(keys(&board), [OCDSB]);
    assert_eq!((board.body["schools"].clone(), board.body["officers"].clone()), (json!(3), json!(1)));
}

/// Catches: a mistyped grouping, period or parameter silently answering everything, or a list
/// parameter (`limit`) accepted on an answer that is not a list.
#[actix_rt::test]
async fn bad_group_by_bad_period_and_unknown_parameters_are_400_naming_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (path, field) in [
        ("/v1/stats/incidents?group_by=colour", "group_by"),
        ("/v1/stats/incidents?group_by=agency", "group_by"),
        ("/v1/stats/referrals?group_by=month", "group_by"),
        ("/v1/stats/coverage?group_by=school", "group_by"),
        ("/v1/stats/incidents?from=2026-11-01", "from"),
        ("/v1/stats/referrals?to=tomorrow", "to"),
        ("/v1/stats/incidents?occurred_from=2026-11-01T00:00:00Z", "occurred_from"),
        ("/v1/stats/referrals?limit=10", "limit"),
        ("/v1/stats/coverage?from=2026-11-01T00:00:00Z", "from"),
    ] {
        let res = app.get(path, &admin).await;
        res.assert_problem(400, "bad-request");
        assert_eq!(res.error_fields(), [field], "{path}");
    }
    let res = app.get("/v1/stats/incidents", &admin).await;
    assert_eq!((res.status, res.body["group_by"].clone()), (200, json!("category")), "the default grouping");
    let res = app.get("/v1/stats/referrals", &admin).await;
    assert_eq!((res.status, res.body["group_by"].clone()), (200, json!("agency")));
    // A reversed period is a period with nothing in it, as for the lists' filters.
    let res = app.get("/v1/stats/incidents?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", &admin).await;
    assert_eq!((res.status, res.body["data"].clone(), res.body["total"].clone()), (200, json!([]), json!(0)));
}

/// Catches: a role without `stats:read` counting records (an agency, an officer), a dashboard
/// client narrowed to other scopes still counting, or a missing token answered.
#[actix_rt::test]
async fn roles_without_stats_read_get_403_and_no_token_401() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let narrowed =
        app.token_for(Role::Dashboard, None, None, Some(vec![sro_api::domain::access::Scope::SchoolsRead])).await;
    for path in ["/v1/stats/incidents", "/v1/stats/referrals", "/v1/stats/coverage"] {
        for token in [&w.agency_x, &w.officer_a, &narrowed] {
            app.get(path, token).await.assert_problem(403, "forbidden");
        }
        app.get(path, "").await.assert_problem(401, "unauthorized");
        assert_eq!(app.get(path, &w.dashboard).await.status, 200);
    }
}

async fn in_french(app: &TestApp, path: &str, token: &str) -> crate::support::Resp {
    let req = actix_web::test::TestRequest::get()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("accept-language", "fr-CA,fr;q=0.9,en;q=0.8"));
    app.send(req).await
}

/// Catches French asked for and English given (or the reverse by default), a label left in
/// English (the unresolved group, months, private schools), a board named in English, and a
/// missing `Content-Language` (API.md §8).
#[actix_rt::test]
async fn statistics_speak_french_when_asked_and_say_so() {
    let app = TestApp::spawn().await;
    let w = crate::support::world::World::build(&app).await;
    let english = app.get("/v1/stats/incidents?group_by=category", &w.admin).await;
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
    assert_eq!(english.body["data"][0]["label"], "Bullying");
    let res = in_french(&app, "/v1/stats/incidents?group_by=category", &w.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-language").as_deref(), Some("fr"));
    assert_eq!(res.body["data"][0]["label"], "Intimidation");
    assert_eq!(res.body["data"][0]["key"], "bullying", "keys never change with the language");
    let res = in_french(&app, "/v1/stats/incidents?group_by=resolution", &w.admin).await;
    assert_eq!(res.body["data"][0]["label"], "Pas encore réglé", "{}", res.text);
    let res = in_french(&app, "/v1/stats/incidents?group_by=month", &w.admin).await;
    assert_eq!(res.body["data"][0]["label"], "novembre 2026", "{}", res.text);
    let res = in_french(&app, "/v1/stats/incidents?group_by=board", &w.admin).await;
    let board = app.get(&format!("/v1/boards/{}", res.body["data"][0]["key"].as_str().unwrap()), &w.admin).await;
    assert_eq!(res.body["data"][0]["label"], board.body["name_fr"], "{}", res.text);
    let res = in_french(&app, "/v1/stats/referrals?group_by=status", &w.admin).await;
    assert_eq!(res.body["data"][0]["label"], "Soumis", "{}", res.text);
    let private = app.post("/v1/schools", &w.admin, &crate::support::school_body("900099", None, "private")).await;
    assert_eq!(private.status, 201, "{}", private.text);
    let res = in_french(&app, "/v1/stats/coverage", &w.admin).await;
    let labels: Vec<&str> = res.body["data"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"Écoles privées"), "{labels:?}");
}

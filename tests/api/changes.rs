//! `GET /v1/changes` over HTTP: filtered through the access policy when read, `access_lost` for
//! each way a record leaves a caller's view, `deleted`, paging, retention and the head.

use serde_json::json;

use crate::support::world::{incident_body, World};
use crate::support::*;

/// The entries `token` sees after `after`, as (resource, id, op), and the `next_after`.
async fn feed(app: &TestApp, token: &str, after: i64) -> (Vec<(String, String, String)>, i64) {
    let res = app.get(&format!("/v1/changes?after={after}&limit=500"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let entries = res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
                e["op"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (entries, res.body["next_after"].as_i64().unwrap())
}

async fn head(app: &TestApp, token: &str) -> i64 {
    let res = app.get("/v1/changes/head", token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["seq"].as_i64().unwrap()
}

/// The ops `entries` show for one record.
fn ops_for(entries: &[(String, String, String)], id: &str) -> Vec<String> {
    entries.iter().filter(|(_, i, _)| i == id).map(|(_, _, op)| op.clone()).collect()
}

/// Catches a feed that is not filtered (a board seeing another board's school), a school moved
/// to another board that its old board keeps seeing as `updated` or never hears about, and a
/// record that keeps showing up after `access_lost`.
#[actix_web::test]
async fn a_school_moved_to_another_board_is_access_lost_for_the_old_board_and_silent_after() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let cepeo = app.board(CEPEO).await;
    let start = head(&app, &w.admin).await;

    let res = app.patch(&format!("/v1/schools/{}", w.school_a), &w.admin, &json!({"name": "École renommée"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let (polled, next) = feed(&app, &w.board_a, start).await;
    assert_eq!(ops_for(&polled, &w.school_a), ["updated"], "its school, while it is its school");
    let res = app.patch(&format!("/v1/schools/{}", w.school_a), &w.admin, &json!({"board_id": CEPEO})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&format!("/v1/schools/{}", w.school_a), &w.admin, &json!({"phone": "613-555-0199"})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    let (old_board, _) = feed(&app, &w.board_a, next).await;
    assert_eq!(ops_for(&old_board, &w.school_a), ["access_lost"], "{old_board:?}");
    // Read from the start after the move: what it may see now, which is only the loss.
    let (reread, _) = feed(&app, &w.board_a, start).await;
    assert_eq!(ops_for(&reread, &w.school_a), ["access_lost"], "{reread:?}");
    let (new_board, _) = feed(&app, &cepeo, start).await;
    assert_eq!(ops_for(&new_board, &w.school_a), ["updated", "updated", "updated"], "read now, it is CEPEO's");
    let (other_board, _) = feed(&app, &w.board_b, start).await;
    assert!(ops_for(&other_board, &w.school_a).is_empty(), "OCSB never saw it: {other_board:?}");
    let (officer, _) = feed(&app, &w.officer_b, start).await;
    assert_eq!(ops_for(&officer, &w.school_a).len(), 3, "schools are every officer's reference data");
    let (admin, _) = feed(&app, &w.admin, start).await;
    assert_eq!(ops_for(&admin, &w.school_a), ["updated", "updated", "updated"], "the unit never loses access");
}

/// Catches an incident corrected to another board's school that its first board still sees as
/// `updated` (a board mirroring a record it may no longer hold), or that the new board misses.
#[actix_web::test]
async fn an_incident_corrected_to_another_boards_school_is_access_lost_for_the_first_board() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let start = head(&app, &w.admin).await;
    let path = format!("/v1/incidents/{}", w.incident_a);
    let res = app.patch(&path, &w.admin, &json!({"summary": "Name-calling, then a shove."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let (polled, next) = feed(&app, &w.board_a, start).await;
    assert_eq!(ops_for(&polled, &w.incident_a), ["updated"]);
    let res = app.patch(&path, &w.admin, &json!({"school_id": w.school_b})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, &w.admin, &json!({"summary": "Corrected: it happened at the other school."})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    let (board_a, _) = feed(&app, &w.board_a, next).await;
    assert_eq!(ops_for(&board_a, &w.incident_a), ["access_lost"], "{board_a:?}");
    assert_eq!(app.get(&path, &w.board_a).await.status, 404);
    let (board_b, _) = feed(&app, &w.board_b, start).await;
    assert_eq!(ops_for(&board_b, &w.incident_a), ["updated", "updated", "updated"]);
    let (agency, _) = feed(&app, &w.agency_x, start).await;
    assert!(ops_for(&agency, &w.incident_a).is_empty(), "agencies never see incidents");
}

/// Catches an officer that keeps receiving a school's records after its assignment there ended
/// (records it saw only because it was assigned there today), or that is never told to drop them.
#[actix_web::test]
async fn an_officer_whose_assignment_ended_loses_the_records_it_saw_only_through_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // Before officer A's assignment (which starts 2026-01-01): visible to A only while assigned.
    let mut old = incident_body(&w.school_a, &w.person_a);
    old["occurred_at"] = json!("2025-06-02T14:00:00Z");
    let res = app.post("/v1/incidents", &w.admin, &old).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let old_id = res.body["id"].as_str().unwrap().to_owned();
    let start = head(&app, &w.admin).await;
    let path = format!("/v1/incidents/{old_id}");
    let res = app.patch(&path, &w.admin, &json!({"summary": "Seen by the school's SRO."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let (before_end, after_first) = feed(&app, &w.officer_a, start).await;
    assert_eq!(ops_for(&before_end, &old_id), ["updated"], "assigned there today: it sees the old incident");

    let assignments = app.get(&format!("/v1/assignments?school_id={}", w.school_a), &w.admin).await;
    let assignment = assignments.body["data"][0]["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/v1/assignments/{assignment}"), &w.admin, &json!({"ends_on": day(-1)})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, &w.admin, &json!({"summary": "Followed up by the new SRO."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, &w.admin, &json!({"summary": "Closed out."})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    let (after_end, _) = feed(&app, &w.officer_a, after_first).await;
    assert_eq!(ops_for(&after_end, &old_id), ["access_lost"], "{after_end:?}");
    assert_eq!(app.get(&path, &w.officer_a).await.status, 404, "and the record itself is out of view");
    // Its own incident (from its assignment's days) stays in view.
    let res = app.patch(&format!("/v1/incidents/{}", w.incident_a), &w.admin, &json!({"summary": "Still A's."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let (later, _) = feed(&app, &w.officer_a, after_first).await;
    assert_eq!(ops_for(&later, &w.incident_a), ["updated"]);
}

/// Catches a deletion hidden from those who held the record (a mirror that keeps a deleted
/// presentation forever) or shown to those who never could see it.
#[actix_web::test]
async fn a_deletion_reaches_those_who_could_see_the_record_and_no_one_else() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let start = head(&app, &w.admin).await;
    let res = app.delete(&format!("/v1/presentations/{}", w.talk_a), &w.admin).await;
    assert_eq!(res.status, 204, "{}", res.text);
    let (officer_a, _) = feed(&app, &w.officer_a, start).await;
    assert_eq!(ops_for(&officer_a, &w.talk_a), ["deleted"]);
    let (officer_b, _) = feed(&app, &w.officer_b, start).await;
    assert!(ops_for(&officer_b, &w.talk_a).is_empty(), "{officer_b:?}");
    let (board_a, _) = feed(&app, &w.board_a, start).await;
    assert!(ops_for(&board_a, &w.talk_a).is_empty(), "boards never see presentations");
    let (admin, _) = feed(&app, &w.admin, start).await;
    assert_eq!(ops_for(&admin, &w.talk_a), ["deleted"]);
}

/// Catches a feed that shows one caller another's personal records (an agency seeing another
/// agency's referral, a board seeing persons), through the same policy as the lists.
#[actix_web::test]
async fn each_caller_reads_only_what_its_lists_show() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (agency, _) = feed(&app, &w.agency_x, 0).await;
    assert!(!ops_for(&agency, &w.referral_a).is_empty(), "its own referral");
    assert!(ops_for(&agency, &w.referral_b).is_empty(), "another agency's referral");
    assert!(agency.iter().all(|(r, _, _)| r != "persons" && r != "incidents"), "{agency:?}");
    let (board, _) = feed(&app, &w.board_a, 0).await;
    assert!(board.iter().all(|(r, _, _)| r != "persons" && r != "referrals" && r != "presentations"));
    assert!(!ops_for(&board, &w.incident_a).is_empty() && ops_for(&board, &w.incident_b).is_empty());
    assert!(!ops_for(&board, &w.request_a).is_empty() && ops_for(&board, &w.request_b).is_empty());
    let (officer, _) = feed(&app, &w.officer_a, 0).await;
    assert!(!ops_for(&officer, &w.person_a).is_empty() && ops_for(&officer, &w.person_b).is_empty());
    assert!(!ops_for(&officer, &w.talk_a).is_empty() && ops_for(&officer, &w.talk_b).is_empty());
    // Every entry has the documented fields.
    let res = app.get("/v1/changes?limit=1", &w.admin).await;
    let entry = &res.body["data"][0];
    for field in ["seq", "resource", "id", "op", "at", "version"] {
        assert!(!entry[field].is_null(), "{field} missing: {entry}");
    }
}

/// Catches a page that repeats or skips entries, a `next_after` that is null or goes backwards
/// on an empty page, and a limit not honoured.
#[actix_web::test]
async fn pages_follow_each_other_and_next_after_is_never_null() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (all, last) = feed(&app, &w.admin, 0).await;
    assert!(all.len() > 10);
    let mut after = 0;
    let mut paged = Vec::new();
    loop {
        let res = app.get(&format!("/v1/changes?after={after}&limit=3"), &w.admin).await;
        assert_eq!(res.status, 200);
        let data = res.body["data"].as_array().unwrap().clone();
        assert!(data.len() <= 3);
        let next = res.body["next_after"].as_i64().expect("never null");
        if data.is_empty() {
            assert_eq!(next, after, "an empty page hands back the after it was sent");
            break;
        }
        assert_eq!(next, data.last().unwrap()["seq"].as_i64().unwrap());
        paged.extend(data.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        after = next;
    }
    assert_eq!(paged, all.iter().map(|(_, id, _)| id.clone()).collect::<Vec<_>>());
    assert_eq!(after, last);
    assert_eq!(head(&app, &w.admin).await, last);
}

/// Catches a feed open to a role without `changes:read`, and parameters that are silently
/// ignored or misread (a negative `after` read as 0 would replay the whole feed).
#[actix_web::test]
async fn the_feed_needs_its_scope_and_names_each_bad_parameter() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    app.get("/v1/changes", &w.dashboard).await.assert_problem(403, "forbidden");
    app.get("/v1/changes/head", &w.dashboard).await.assert_problem(403, "forbidden");
    app.get("/v1/changes", "").await.assert_problem(401, "unauthorized");
    for (query, field) in [
        ("after=-1", "after"),
        ("after=abc", "after"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=abc", "cursor"),
        ("updated_from=2026-01-01T00:00:00Z", "updated_from"),
    ] {
        let res = app.get(&format!("/v1/changes?{query}"), &w.admin).await;
        res.assert_problem(400, "bad-request");
        assert_eq!(res.error_fields(), [field], "{query}");
    }
    let res = app.get("/v1/changes/head?after=1", &w.admin).await;
    res.assert_problem(400, "bad-request");
}

/// Catches pruning that leaves a reader silently missing entries (it must be told to resync),
/// a 410 for a reader that is still within what is kept, and a head that is not a valid restart
/// point. Also that the hourly pass keeps entries younger than `CHANGES_RETENTION_DAYS`.
#[actix_web::test]
async fn an_after_older_than_what_is_kept_is_410_and_the_head_is_where_to_restart() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let before = head(&app, &w.admin).await;
    let (entries, keys) = sro_api::server::housekeeping(&app.state).expect("housekeeping");
    assert_eq!((entries, keys), (0, 0), "nothing is 90 days old");
    assert_eq!(feed(&app, &w.admin, 0).await.0.len() as i64, before);

    // Prune everything so far, as if 90 days had passed.
    let mut conn = app.state.pool.get().unwrap();
    let cutoff = sro_api::domain::time::now() + chrono::Duration::seconds(1);
    let pruned = sro_api::service::changes::prune(&mut conn, cutoff).unwrap();
    assert_eq!(pruned as i64, before);
    drop(conn);
    let res = app.get("/v1/changes?after=0", &w.admin).await;
    res.assert_problem(410, "resync-required");
    let res = app.get(&format!("/v1/changes?after={}", before - 1), &w.board_a).await;
    res.assert_problem(410, "resync-required");
    // From the head: nothing missed, and new changes flow.
    let restart = head(&app, &w.admin).await;
    assert_eq!(restart, before);
    let (empty, next) = feed(&app, &w.admin, restart).await;
    assert!(empty.is_empty());
    assert_eq!(next, restart);
    let res = app.patch(&format!("/v1/schools/{}", w.school_a), &w.admin, &json!({"name": "Après"})).await;
    assert_eq!(res.status, 200);
    let (fresh, _) = feed(&app, &w.admin, restart).await;
    assert_eq!(fresh, vec![("schools".to_owned(), w.school_a.clone(), "updated".to_owned())]);
}

//! The change feed's guarantee (API.md §4): a reader that polls with the last number it got
//! never misses a committed change and never sees one twice, while many writers commit at once.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

/// Catches numbering that is not in commit order (a sequence taken early in the transaction: a
/// poller passes over a number whose transaction commits after its read and never sees it), a
/// change recorded twice, or a write that records nothing.
#[actix_web::test]
async fn sixteen_writers_and_a_poller_every_committed_change_seen_once_in_order() {
    let app = TestApp::spawn_with(|c| c.db_pool_size = 24).await;
    let admin = app.admin().await;
    let mut officers = Vec::new();
    for n in 0..16 {
        officers.push(app.officer(&admin, &format!("88{n:02}")).await["id"].as_str().unwrap().to_owned());
    }
    let pool = app.state.pool.clone();
    let start = sro_api::service::changes::head(&mut pool.get().unwrap()).unwrap();
    let run_for = Duration::from_secs(4);
    let until = Instant::now() + run_for;
    // Writers and the poller are threads with their own connections, calling the use-cases the
    // routes call: the guarantee is the database's, and HTTP in-process would serialise them
    // on the test's one runtime thread.
    let writers: Vec<_> = officers
        .into_iter()
        .enumerate()
        .map(|(n, id)| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                let ctx = sro_api::domain::context::Context::system(format!("writer-{n}"));
                let officer = uuid::Uuid::parse_str(&id).unwrap();
                let mut written = Vec::new();
                let mut i = 0;
                while Instant::now() < until {
                    i += 1;
                    // Most writes change the writer's own officer; some create an agency.
                    if i % 5 == 0 {
                        let body = json!({"name": format!("Agency {n}-{i}"), "kind": "other"});
                        match sro_api::service::agencies::create(&mut conn, &ctx, body.as_object().unwrap()) {
                            Ok(a) => written.push(("agencies".to_owned(), a.id.to_string(), i64::from(a.version))),
                            // A 503 to a caller: nothing was written (SQLite's writer lock waited too long).
                            Err(sro_api::error::AppError::Unavailable(_)) => {}
                            Err(e) => panic!("writer {n}: {e}"),
                        }
                    } else {
                        let body = json!({"phone": format!("613-555-{i:04}")});
                        match sro_api::service::officers::patch(
                            &mut conn,
                            &ctx,
                            officer,
                            body.as_object().unwrap(),
                            None,
                        ) {
                            Ok(o) => written.push(("officers".to_owned(), o.id.to_string(), i64::from(o.version))),
                            Err(sro_api::error::AppError::Unavailable(_)) => {}
                            Err(e) => panic!("writer {n}: {e}"),
                        }
                    }
                }
                written
            })
        })
        .collect();
    let poller = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            // The feed's own reader, as `GET /v1/changes` calls it for the unit.
            let ctx = sro_api::domain::context::Context::new(admin_caller(), "poller");
            let mut seen: Vec<sro_api::domain::change::ChangeEntry> = Vec::new();
            let mut after = start;
            let mut quiet_polls = 0;
            loop {
                let page = sro_api::service::changes::page(&mut conn, &ctx, after, 200).expect("poll");
                after = page.next_after;
                let empty = page.data.is_empty();
                seen.extend(page.data);
                if Instant::now() > until + Duration::from_millis(500) {
                    quiet_polls += usize::from(empty);
                    if quiet_polls >= 3 {
                        break;
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            seen
        })
    };
    let written: Vec<(String, String, i64)> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let seen = poller.join().unwrap();

    // Numbers: contiguous from the start, strictly increasing, none twice.
    let seqs: Vec<i64> = seen.iter().map(|c| c.seq).collect();
    let out_of_step: Vec<(i64, i64)> = seqs
        .iter()
        .enumerate()
        .map(|(i, seq)| (start + 1 + i as i64, *seq))
        .filter(|(expected, got)| expected != got)
        .take(5)
        .collect();
    assert!(out_of_step.is_empty(), "the poller read numbers out of step (expected, got): {out_of_step:?}");
    // Every committed write seen, exactly once, and nothing else.
    let entries: Vec<(String, String, i64)> =
        seen.iter().map(|c| (c.resource.clone(), c.id.clone(), i64::from(c.version))).collect();
    let unique: HashSet<&(String, String, i64)> = entries.iter().collect();
    assert_eq!(unique.len(), entries.len(), "no change twice");
    let missed = written.iter().filter(|w| !unique.contains(w)).count();
    assert_eq!(missed, 0, "{missed} of {} committed writes never reached the poller", written.len());
    assert_eq!(entries.len(), written.len(), "one entry per write");
    assert!(written.len() >= 200, "only {} writes in {run_for:?}", written.len());
    println!(
        "change feed: 16 writers for {run_for:?}, {} committed writes, {} entries polled",
        written.len(),
        seen.len()
    );
}

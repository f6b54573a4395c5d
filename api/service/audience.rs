//! Who can see a record, written into each change-feed entry as it is published, so that the
//! next entry for the same record knows who could see it *before* (API.md §6 `access_lost`, and
//! `deleted`, whose record is gone by the time anyone reads the feed).
//!
//! An audience is a space-separated list of tokens, matched against the caller's
//! ([`caller_tokens`]):
//! - `*` every caller of the feed (boards, officers and agencies are everyone's reference data);
//! - `r` every caller but a board (schools and assignments, which a board sees only for its own);
//! - `b:<board>`, `o:<officer>`, `g:<agency>` one board, officer or agency.
//!
//! It restates the rules of [`super::policy`] as "who" rather than "which rows". The feed still
//! decides what a caller sees *now* through the policy itself; the audience only answers "could
//! this caller see it before this change?", for the entry that took the record out of its view.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{
    assignments, disclosures, incident_persons, incidents, outcomes, persons, presentations, referrals, schools,
};
use crate::db::DbConn;
use crate::domain::context::Visibility;
use crate::error::AppResult;

/// The tokens of the audiences `visibility` belongs to; `None` for the unit, which sees all.
pub fn caller_tokens(visibility: Visibility) -> Option<Vec<String>> {
    match visibility {
        Visibility::All => None,
        Visibility::Board(board) => Some(vec!["*".into(), format!("b:{board}")]),
        Visibility::Officer(officer) => Some(vec!["*".into(), "r".into(), format!("o:{officer}")]),
        Visibility::Agency(agency) => Some(vec!["*".into(), "r".into(), format!("g:{agency}")]),
        Visibility::Nothing => Some(vec![]),
    }
}

/// True when `audience` includes a caller with `tokens` (`None`: the unit, always).
pub fn includes(audience: &str, tokens: Option<&[String]>) -> bool {
    match tokens {
        None => true,
        Some(tokens) => audience.split(' ').any(|t| !t.is_empty() && tokens.iter().any(|c| c == t)),
    }
}

/// Builds an audience without repeats.
#[derive(Default)]
struct Audience(Vec<String>);

impl Audience {
    fn add(&mut self, token: String) {
        if !self.0.contains(&token) {
            self.0.push(token);
        }
    }

    fn board(&mut self, board: Option<String>) {
        if let Some(b) = board {
            self.add(format!("b:{b}"));
        }
    }

    fn officer(&mut self, officer: Option<String>) {
        if let Some(o) = officer {
            self.add(format!("o:{o}"));
        }
    }

    /// The officers assigned (primary or backup) at `school` on `day` or on `today`.
    fn assigned(&mut self, conn: &mut DbConn, school: &str, day: NaiveDate, today: NaiveDate) -> AppResult<()> {
        let found: Vec<String> = assignments::table
            .filter(assignments::school_id.eq(school))
            .filter(
                (assignments::starts_on.le(day).and(assignments::ends_on.is_null().or(assignments::ends_on.ge(day))))
                    .or(assignments::starts_on
                        .le(today)
                        .and(assignments::ends_on.is_null().or(assignments::ends_on.ge(today)))),
            )
            .select(assignments::officer_id)
            .load(conn)?;
        for o in found {
            self.add(format!("o:{o}"));
        }
        Ok(())
    }

    /// The officers who see an incident: named on it, its creator, assigned at its school on
    /// its day or today; and its school's board.
    fn incident(&mut self, conn: &mut DbConn, id: &str, today: NaiveDate) -> AppResult<()> {
        let row: Option<(String, Option<String>, Option<String>, NaiveDate)> = incidents::table
            .find(id)
            .select((
                incidents::school_id,
                incidents::officer_id,
                incidents::created_by_officer,
                incidents::occurred_on,
            ))
            .first(conn)
            .optional()?;
        if let Some((school, officer, creator, day)) = row {
            self.board(board_of(conn, &school)?);
            self.officer(officer);
            self.officer(creator);
            self.assigned(conn, &school, day, today)?;
        }
        Ok(())
    }

    fn into_text(self) -> String {
        self.0.join(" ")
    }
}

fn board_of(conn: &mut DbConn, school: &str) -> AppResult<Option<String>> {
    Ok(schools::table.find(school).select(schools::board_id).first::<Option<String>>(conn).optional()?.flatten())
}

/// The audience of `resource` record `id` as it stands in this transaction (empty when it is
/// gone, or for a resource only the unit reads).
pub fn of(conn: &mut DbConn, resource: &str, id: &str, today: NaiveDate) -> AppResult<String> {
    let mut a = Audience::default();
    match resource {
        "boards" | "officers" | "agencies" => a.add("*".into()),
        "schools" => {
            a.add("r".into());
            a.board(board_of(conn, id)?);
        }
        "assignments" => {
            a.add("r".into());
            let school: Option<String> =
                assignments::table.find(id).select(assignments::school_id).first(conn).optional()?;
            if let Some(school) = school {
                a.board(board_of(conn, &school)?);
            }
        }
        "incidents" => a.incident(conn, id, today)?,
        "outcomes" => {
            // The officers who see its incident; never its board (police use only, §7).
            let incident: Option<String> = outcomes::table
                .find(id)
                .filter(outcomes::person_id.eq_any(super::policy::unsealed_persons()))
                .select(outcomes::incident_id)
                .first(conn)
                .optional()?;
            if let Some(incident) = incident {
                let mut of_incident = Audience::default();
                of_incident.incident(conn, &incident, today)?;
                for token in of_incident.0.into_iter().filter(|t| t.starts_with("o:")) {
                    a.add(token);
                }
            }
        }
        "disclosures" => {
            // The officer rule of `policy::disclosures`, and the school's board while the
            // school may keep it (not confirmed destroyed, destroy_by not passed); nobody but the
            // unit once the person is sealed.
            type Row = (String, Option<String>, NaiveDate, NaiveDate, bool);
            let row: Option<Row> = disclosures::table
                .find(id)
                .filter(disclosures::person_id.eq_any(super::policy::unsealed_persons()))
                .select((
                    disclosures::school_id,
                    disclosures::created_by_officer,
                    disclosures::disclosed_on,
                    disclosures::destroy_by,
                    disclosures::destroyed_at.is_not_null(),
                ))
                .first(conn)
                .optional()?;
            if let Some((school, creator, day, destroy_by, destroyed)) = row {
                a.officer(creator);
                a.assigned(conn, &school, day, today)?;
                if !destroyed && destroy_by >= today {
                    a.board(board_of(conn, &school)?);
                }
            }
        }
        "referrals" => {
            // A sealed person's referral: the unit's alone.
            let row: Option<(String, Option<String>, Option<String>)> = referrals::table
                .find(id)
                .filter(referrals::sealed_at.is_null())
                .filter(referrals::person_id.assume_not_null().eq_any(super::policy::unsealed_persons()))
                .select((referrals::agency_id, referrals::officer_id, referrals::created_by_officer))
                .first(conn)
                .optional()?;
            if let Some((agency, officer, creator)) = row {
                a.add(format!("g:{agency}"));
                a.officer(officer);
                a.officer(creator);
            }
        }
        "service_requests" => {
            use crate::db::schema::service_requests as sr;
            let row: Option<(String, Option<String>, NaiveDate)> =
                sr::table.find(id).select((sr::school_id, sr::officer_id, sr::created_on)).first(conn).optional()?;
            if let Some((school, officer, day)) = row {
                a.board(board_of(conn, &school)?);
                a.officer(officer);
                a.assigned(conn, &school, day, today)?;
            }
        }
        "presentations" => {
            let row: Option<(String, String, NaiveDate)> = presentations::table
                .find(id)
                .select((presentations::school_id, presentations::officer_id, presentations::delivered_on))
                .first(conn)
                .optional()?;
            if let Some((school, officer, day)) = row {
                a.officer(Some(officer));
                a.assigned(conn, &school, day, today)?;
            }
        }
        "persons" => {
            // A sealed person: the unit's alone.
            let row: Option<(Option<String>, Option<String>, NaiveDate)> = persons::table
                .find(id)
                .filter(persons::sealed_at.is_null())
                .select((persons::created_by_officer, persons::school_id, persons::created_on))
                .first(conn)
                .optional()?;
            if let Some((creator, school, day)) = row {
                a.officer(creator);
                if let Some(school) = school {
                    a.assigned(conn, &school, day, today)?;
                }
                let named: Vec<String> = incident_persons::table
                    .filter(incident_persons::person_id.eq(id))
                    .select(incident_persons::incident_id)
                    .load(conn)?;
                let mut on_incidents = Audience::default();
                for incident in named {
                    on_incidents.incident(conn, &incident, today)?;
                }
                // Boards never see persons: keep only the officers of those incidents.
                for token in on_incidents.0.into_iter().filter(|t| t.starts_with("o:")) {
                    a.add(token);
                }
                let referred: Vec<(Option<String>, Option<String>)> = referrals::table
                    .filter(referrals::person_id.eq(id))
                    .select((referrals::officer_id, referrals::created_by_officer))
                    .load(conn)?;
                for (officer, creator) in referred {
                    a.officer(officer);
                    a.officer(creator);
                }
            }
        }
        _ => {}
    }
    Ok(a.into_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_is_in_an_audience_only_through_its_own_tokens() {
        let board = uuid::Uuid::new_v4();
        let other = uuid::Uuid::new_v4();
        let tokens = caller_tokens(Visibility::Board(board)).unwrap();
        assert!(includes(&format!("r b:{board}"), Some(&tokens)));
        assert!(!includes(&format!("r b:{other}"), Some(&tokens)), "another board's school");
        assert!(!includes("r", Some(&tokens)), "a private school is not a board's");
        assert!(includes("*", Some(&tokens)));
        let officer = caller_tokens(Visibility::Officer(board)).unwrap();
        assert!(!includes(&format!("b:{board}"), Some(&officer)), "a board token never matches an officer");
        assert!(!includes("", Some(&caller_tokens(Visibility::Nothing).unwrap())));
        assert!(includes("", None), "the unit sees everything");
    }
}

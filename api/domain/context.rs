//! The request context every use-case takes: who is calling, what that lets it see, which
//! request this is (for the audit log) and the instant the request is judged at.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use uuid::Uuid;

use super::access::{Caller, Role};

/// The rows a caller may see of the case records, derived once from its role and binding.
/// Anything inconsistent (a bound role with no binding) is [`Visibility::Nothing`]: it fails
/// closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The unit: every record.
    All,
    /// A school board: records of its schools, never a person's identity.
    Board(Uuid),
    /// An officer: records of the schools it is or was assigned to, and its own.
    Officer(Uuid),
    /// An agency: the referrals addressed to it.
    Agency(Uuid),
    /// No case record at all (dashboards, or a client whose binding is missing).
    Nothing,
}

impl Visibility {
    /// What `caller` may see.
    pub fn of(caller: &Caller) -> Visibility {
        match (caller.role, caller.board_id, caller.officer_id, caller.agency_id) {
            (Role::Admin, ..) => Visibility::All,
            (Role::Board, Some(board), ..) => Visibility::Board(board),
            (Role::Officer, _, Some(officer), _) => Visibility::Officer(officer),
            (Role::Agency, _, _, Some(agency)) => Visibility::Agency(agency),
            _ => Visibility::Nothing,
        }
    }

    /// The officer a caller acts as, if it is one.
    pub fn officer(self) -> Option<Uuid> {
        match self {
            Visibility::Officer(id) => Some(id),
            _ => None,
        }
    }

    /// True for callers that must never see who a record is about (boards).
    pub fn hides_persons(self) -> bool {
        !matches!(self, Visibility::All | Visibility::Officer(_) | Visibility::Agency(_))
    }
}

/// One request, as the use-cases see it.
#[derive(Debug, Clone)]
pub struct Context {
    /// Who is calling.
    pub caller: Caller,
    /// What it may see.
    pub visibility: Visibility,
    /// The request id (`X-Request-Id`), written into audit events.
    pub request_id: String,
    /// When the request is judged: "today", "not in the future", timestamps written.
    pub now: DateTime<Utc>,
    /// The language the answer's words are in (`Accept-Language`; API.md §8).
    pub lang: super::i18n::Lang,
}

impl Context {
    /// The context of a request made by `caller`.
    pub fn new(caller: Caller, request_id: impl Into<String>) -> Context {
        let visibility = Visibility::of(&caller);
        Context {
            caller,
            visibility,
            request_id: request_id.into(),
            now: Utc::now().trunc_subsecs(6),
            lang: super::i18n::Lang::En,
        }
    }

    /// The context of work done by the service itself (the CLI, the demo loader): the unit.
    pub fn system(request_id: impl Into<String>) -> Context {
        let caller = Caller {
            client_id: Uuid::nil(),
            role: Role::Admin,
            board_id: None,
            officer_id: None,
            agency_id: None,
            scopes: super::access::Scope::ALL.into(),
        };
        Context::new(caller, request_id)
    }

    /// `now` as stored (UTC, microseconds).
    pub fn stamp(&self) -> NaiveDateTime {
        self.now.naive_utc()
    }

    /// The city's date today (America/Toronto).
    pub fn today(&self) -> NaiveDate {
        super::time::today_at(self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Scope;

    fn caller(role: Role, board: bool, officer: bool, agency: bool) -> Caller {
        let id = Some(Uuid::from_u128(7));
        Caller {
            client_id: Uuid::from_u128(1),
            role,
            board_id: if board { id } else { None },
            officer_id: if officer { id } else { None },
            agency_id: if agency { id } else { None },
            scopes: vec![Scope::PersonsRead].into(),
        }
    }

    #[test]
    fn each_role_sees_through_its_own_binding_and_fails_closed_without_it() {
        let seven = Uuid::from_u128(7);
        assert_eq!(Visibility::of(&caller(Role::Admin, false, false, false)), Visibility::All);
        assert_eq!(Visibility::of(&caller(Role::Board, true, false, false)), Visibility::Board(seven));
        assert_eq!(Visibility::of(&caller(Role::Officer, false, true, false)), Visibility::Officer(seven));
        assert_eq!(Visibility::of(&caller(Role::Agency, false, false, true)), Visibility::Agency(seven));
        // A binding of the wrong kind, or none, sees nothing.
        assert_eq!(Visibility::of(&caller(Role::Board, false, true, true)), Visibility::Nothing);
        assert_eq!(Visibility::of(&caller(Role::Officer, true, false, false)), Visibility::Nothing);
        assert_eq!(Visibility::of(&caller(Role::Agency, false, false, false)), Visibility::Nothing);
        assert_eq!(Visibility::of(&caller(Role::Dashboard, true, true, true)), Visibility::Nothing);
    }

    #[test]
    fn only_boards_and_the_blind_hide_persons() {
        assert!(Visibility::Board(Uuid::nil()).hides_persons());
        assert!(Visibility::Nothing.hides_persons());
        assert!(!Visibility::All.hides_persons());
        assert!(!Visibility::Officer(Uuid::nil()).hides_persons());
    }
}

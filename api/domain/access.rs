//! Roles, scopes and what each role may ever be granted (API.md §3).

use crate::string_enum;

string_enum! {
    /// What kind of organisation a client acts for.
    Role {
        /// The unit itself: everything.
        Admin => "admin",
        /// One officer.
        Officer => "officer",
        /// One school board (SIS integration).
        Board => "board",
        /// One agency (for example the Children's Aid Society).
        Agency => "agency",
        /// Internal dashboards: reference data and statistics (small counts suppressed).
        Dashboard => "dashboard",
    }
}

string_enum! {
    /// A permission a token carries.
    Scope {
        BoardsRead => "boards:read",
        BoardsWrite => "boards:write",
        SchoolsRead => "schools:read",
        SchoolsWrite => "schools:write",
        OfficersRead => "officers:read",
        OfficersWrite => "officers:write",
        AssignmentsRead => "assignments:read",
        AssignmentsWrite => "assignments:write",
        PersonsRead => "persons:read",
        PersonsWrite => "persons:write",
        IncidentsRead => "incidents:read",
        IncidentsWrite => "incidents:write",
        AgenciesRead => "agencies:read",
        AgenciesWrite => "agencies:write",
        ReferralsRead => "referrals:read",
        ReferralsWrite => "referrals:write",
        RequestsRead => "requests:read",
        RequestsWrite => "requests:write",
        PresentationsRead => "presentations:read",
        PresentationsWrite => "presentations:write",
        StatsRead => "stats:read",
        OutcomesRead => "outcomes:read",
        OutcomesWrite => "outcomes:write",
        DisclosuresRead => "disclosures:read",
        DisclosuresWrite => "disclosures:write",
        RetentionAdmin => "retention:admin",
        ChangesRead => "changes:read",
        AuditRead => "audit:read",
        ClientsAdmin => "clients:admin",
    }
}

use Scope::*;

const REFERENCE: &[Scope] = &[BoardsRead, SchoolsRead, OfficersRead, AssignmentsRead, AgenciesRead];

impl Role {
    /// The most a client of this role can be granted; also its default set.
    pub fn allowed_scopes(self) -> Vec<Scope> {
        let extra: &[Scope] = match self {
            Role::Admin => return Scope::ALL.to_vec(),
            Role::Officer => &[
                PersonsRead,
                PersonsWrite,
                IncidentsRead,
                IncidentsWrite,
                ReferralsRead,
                ReferralsWrite,
                RequestsRead,
                RequestsWrite,
                PresentationsRead,
                PresentationsWrite,
                ChangesRead,
                OutcomesRead,
                OutcomesWrite,
                DisclosuresRead,
                DisclosuresWrite,
            ],
            Role::Board => {
                &[SchoolsWrite, IncidentsRead, RequestsRead, RequestsWrite, StatsRead, ChangesRead, DisclosuresRead]
            }
            Role::Agency => &[ReferralsRead, ReferralsWrite, ChangesRead],
            Role::Dashboard => &[StatsRead],
        };
        REFERENCE.iter().chain(extra).copied().collect()
    }

    /// The binding this role needs: `board_id`, `officer_id`, `agency_id`, or none.
    pub fn binding_field(self) -> Option<&'static str> {
        match self {
            Role::Board => Some("board_id"),
            Role::Officer => Some("officer_id"),
            Role::Agency => Some("agency_id"),
            Role::Admin | Role::Dashboard => None,
        }
    }
}

/// Parses a space-separated scope list (as in OAuth `scope`).
pub fn parse_scopes(text: &str) -> Result<Vec<Scope>, String> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let scope: Scope = word.parse().map_err(|_| format!("unknown scope `{word}`"))?;
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    Ok(out)
}

/// Renders scopes space-separated, in canonical order.
pub fn scopes_to_string(scopes: &[Scope]) -> String {
    Scope::ALL.iter().filter(|s| scopes.contains(s)).map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// Who is calling: the verified identity a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The client id (`sub`).
    pub client_id: uuid::Uuid,
    /// The client's role.
    pub role: Role,
    /// The board a `board` client is bound to.
    pub board_id: Option<uuid::Uuid>,
    /// The officer an `officer` client is bound to.
    pub officer_id: Option<uuid::Uuid>,
    /// The agency an `agency` client is bound to.
    pub agency_id: Option<uuid::Uuid>,
    /// The scopes of this token (shared: a caller is cloned into every request's context).
    pub scopes: std::sync::Arc<[Scope]>,
}

impl Caller {
    /// True when the token carries `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// For a board client, the only board whose schools it may see or write.
    pub fn board_scope(&self) -> Option<uuid::Uuid> {
        match self.role {
            Role::Board => self.board_id.or(Some(uuid::Uuid::nil())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_can_never_be_granted_person_scopes() {
        let allowed = Role::Board.allowed_scopes();
        assert!(!allowed.contains(&Scope::PersonsRead));
        assert!(allowed.contains(&Scope::SchoolsWrite));
    }

    #[test]
    fn a_board_may_be_granted_stats_of_its_schools_but_no_other_role_beyond_admin_and_dashboard() {
        let with_stats: Vec<Role> =
            Role::ALL.iter().copied().filter(|r| r.allowed_scopes().contains(&Scope::StatsRead)).collect();
        assert_eq!(with_stats, [Role::Admin, Role::Board, Role::Dashboard]);
    }

    #[test]
    fn the_dashboard_gets_reference_data_and_stats_only() {
        let allowed = Role::Dashboard.allowed_scopes();
        assert!(allowed.contains(&Scope::StatsRead));
        assert!(!allowed.contains(&Scope::SchoolsWrite));
        assert!(!allowed.contains(&Scope::PersonsRead));
    }

    #[test]
    fn scopes_parse_and_render_in_canonical_order() {
        let scopes = parse_scopes("schools:write boards:read schools:write").unwrap();
        assert_eq!(scopes_to_string(&scopes), "boards:read schools:write");
        assert!(parse_scopes("boards:read nope").is_err());
    }
}

-- Case records (API.md §4): agencies, persons, incidents, referrals, service requests,
-- presentations, and the append-only audit log. Every list is ordered by (created_at, id);
-- each index below says which filter (and the policy of §3) it serves. Low-selectivity enum
-- filters (category, location, kind, urgency) ride on the narrower index they are combined
-- with, or on the creation-order index.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_fr TEXT,
    name_folded TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('child_protection', 'youth_services', 'diversion_program', 'mental_health', 'other')),
    phone TEXT,
    email TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- Unfiltered list, `active`, `q`.
CREATE INDEX agencies_created_idx ON agencies (created_at, id);
-- `kind`.
CREATE INDEX agencies_kind_idx ON agencies (kind, created_at, id);

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    family_folded TEXT NOT NULL,
    date_of_birth DATE,
    school_id TEXT REFERENCES schools (id),
    guardian_name TEXT,
    guardian_phone TEXT,
    language TEXT CHECK (language IN ('en', 'fr')),
    -- The officer whose client created the record (officers always see what they created).
    created_by_officer TEXT REFERENCES officers (id),
    -- The city-local day of creation: the "record's day" of the officer rule.
    created_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- Unfiltered list (admin).
CREATE INDEX persons_created_idx ON persons (created_at, id);
-- `family_name` (folded, exact) with or without `date_of_birth`.
CREATE INDEX persons_family_idx ON persons (family_folded, date_of_birth);
-- `school_id`, and the officer rule (assigned at the person's school on its day).
CREATE INDEX persons_school_idx ON persons (school_id, created_at, id);
-- The officer rule: what it created.
CREATE INDEX persons_creator_idx ON persons (created_by_officer);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    occurrence_number TEXT UNIQUE,
    school_id TEXT NOT NULL REFERENCES schools (id),
    officer_id TEXT REFERENCES officers (id),
    occurred_at TIMESTAMP NOT NULL,
    -- The city-local date of occurred_at, stored at write time so the officer rule is a join.
    occurred_on DATE NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    location TEXT NOT NULL CHECK (location IN ('school_property', 'travel_to_school', 'travel_from_school', 'school_event', 'other')),
    during_school_hours BOOLEAN NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('assault', 'threat', 'weapon', 'drugs_alcohol', 'theft', 'mischief', 'bullying', 'cyber', 'sexual_offence', 'trespass', 'mental_health', 'other')),
    safe_schools_reportable BOOLEAN NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'under_investigation', 'resolved', 'closed')),
    resolution TEXT CHECK (resolution IN ('verbal_caution', 'counselling', 'mediation', 'diversion', 'charge', 'no_further_action', 'referred')),
    diversion_agency_id TEXT REFERENCES agencies (id),
    created_by_officer TEXT REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (status IN ('open', 'under_investigation') OR resolution IS NOT NULL),
    CHECK (resolution IS NULL OR resolution <> 'diversion' OR diversion_agency_id IS NOT NULL)
);
-- Unfiltered list; `status`, `category`, `resolution`, `location` filter along it.
CREATE INDEX incidents_created_idx ON incidents (created_at, id);
-- `school_id`, `board_id` (schools of the board), and the board policy.
CREATE INDEX incidents_school_idx ON incidents (school_id, created_at, id);
-- The officer policy: assigned at the incident's school on its day.
CREATE INDEX incidents_school_day_idx ON incidents (school_id, occurred_on);
-- `officer_id`, and the officer policy (named on it).
CREATE INDEX incidents_officer_idx ON incidents (officer_id, created_at, id);
-- `occurred_from` / `occurred_to`.
CREATE INDEX incidents_occurred_idx ON incidents (occurred_at);
-- `diversion_agency_id` references (agency deletion check).
CREATE INDEX incidents_agency_idx ON incidents (diversion_agency_id);

-- Who an incident involves, in the order given.
CREATE TABLE incident_persons (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL CHECK (role IN ('subject', 'victim', 'witness', 'complainant', 'guardian')),
    position INTEGER NOT NULL,
    PRIMARY KEY (incident_id, person_id)
);
-- `person_id` on incidents, and the officer rule for persons (named on an incident it sees).
CREATE INDEX incident_persons_person_idx ON incident_persons (person_id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT REFERENCES persons (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    incident_id TEXT REFERENCES incidents (id),
    officer_id TEXT REFERENCES officers (id),
    category TEXT NOT NULL CHECK (category IN ('child_protection', 'youth_services', 'diversion', 'mental_health', 'family_support', 'other')),
    urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'immediate')),
    reason TEXT NOT NULL,
    consent_given_by TEXT NOT NULL CHECK (consent_given_by IN ('youth', 'guardian', 'not_required')),
    consent_obtained_on DATE,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'acknowledged', 'accepted', 'declined', 'in_progress', 'completed', 'withdrawn')),
    created_by_officer TEXT REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- Unfiltered list; `status`, `category`, `urgency`, `created_from`/`created_to` along it.
CREATE INDEX referrals_created_idx ON referrals (created_at, id);
-- `agency_id`, and the agency policy (referrals addressed to it).
CREATE INDEX referrals_agency_idx ON referrals (agency_id, created_at, id);
-- `officer_id`, and the officer policy (its own referrals).
CREATE INDEX referrals_officer_idx ON referrals (officer_id, created_at, id);
-- `person_id`.
CREATE INDEX referrals_person_idx ON referrals (person_id, created_at, id);
-- `incident_id`.
CREATE INDEX referrals_incident_idx ON referrals (incident_id);

-- Every status a referral took, with the client that moved it.
CREATE TABLE referral_history (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    status TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    by_client TEXT NOT NULL,
    note TEXT
);
CREATE INDEX referral_history_referral_idx ON referral_history (referral_id, at, id);

CREATE TABLE service_requests (
    id TEXT PRIMARY KEY NOT NULL,
    school_id TEXT NOT NULL REFERENCES schools (id),
    kind TEXT NOT NULL CHECK (kind IN ('parent_contact', 'presentation', 'consultation', 'incident_report')),
    details TEXT NOT NULL,
    requested_by_name TEXT NOT NULL,
    requested_by_role TEXT NOT NULL,
    officer_id TEXT REFERENCES officers (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'scheduled', 'completed', 'cancelled')),
    outcome TEXT,
    -- The city-local day of creation: the "record's day" of the officer rule.
    created_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- Unfiltered list; `kind`, `status`, `created_from`/`created_to` along it.
CREATE INDEX service_requests_created_idx ON service_requests (created_at, id);
-- `school_id`, the board policy, and the officer policy (assigned at its school on its day).
CREATE INDEX service_requests_school_idx ON service_requests (school_id, created_on);
-- `officer_id` and the officer policy (named on it).
CREATE INDEX service_requests_officer_idx ON service_requests (officer_id, created_at, id);
-- `unassigned=true`: the few requests waiting for an SRO.
CREATE INDEX service_requests_unassigned_idx ON service_requests (created_at, id) WHERE officer_id IS NULL;

CREATE TABLE presentations (
    id TEXT PRIMARY KEY NOT NULL,
    school_id TEXT NOT NULL REFERENCES schools (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    delivered_on DATE NOT NULL,
    topic TEXT NOT NULL,
    -- A JSON array of integers 0 (kindergarten) to 12.
    grades TEXT NOT NULL,
    audience_size INTEGER CHECK (audience_size IS NULL OR audience_size >= 0),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    service_request_id TEXT REFERENCES service_requests (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- Unfiltered list; `language` along it.
CREATE INDEX presentations_created_idx ON presentations (created_at, id);
-- `school_id`, and the officer policy (assigned at its school on delivered_on).
CREATE INDEX presentations_school_idx ON presentations (school_id, delivered_on);
-- `officer_id`, and the officer policy (named on it).
CREATE INDEX presentations_officer_idx ON presentations (officer_id, created_at, id);
-- `delivered_from` / `delivered_to`.
CREATE INDEX presentations_delivered_idx ON presentations (delivered_on);
CREATE INDEX presentations_request_idx ON presentations (service_request_id);

-- Append-only: who did what to personal information, and whose (API.md §3, §7).
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    client_id TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT,
    request_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    -- The ids of every person whose information the response carried, space-separated.
    person_ids TEXT NOT NULL
);
-- Unfiltered list (ordered by `at`, then id), `at_from` / `at_to`.
CREATE INDEX audit_events_at_idx ON audit_events (at, id);
CREATE INDEX audit_events_client_idx ON audit_events (client_id, at, id);
CREATE INDEX audit_events_resource_idx ON audit_events (resource, resource_id, at, id);
CREATE INDEX audit_events_request_idx ON audit_events (request_id);

-- One row per person an event carried: the access log of §7 reads it by person.
CREATE TABLE audit_persons (
    person_id TEXT NOT NULL,
    event_id TEXT NOT NULL REFERENCES audit_events (id),
    PRIMARY KEY (person_id, event_id)
);

-- Nothing changes or deletes an audit event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_persons_no_update BEFORE UPDATE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_persons_no_delete BEFORE DELETE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

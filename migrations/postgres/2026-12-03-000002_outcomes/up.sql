-- YCJA outcomes (API.md §7): the measure taken for each young person who is a subject of an
-- incident, and the s. 119(2) access period it starts (computed by the service from the table
-- in api/data/ycja_access_periods.csv whenever the outcome is written).
CREATE TABLE outcomes (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    measure TEXT NOT NULL CHECK (measure IN ('no_further_action', 'warning', 'police_caution', 'referral', 'extrajudicial_sanction', 'charge')),
    decided_on DATE NOT NULL,
    youth_consent_obtained_on DATE,
    court_disposition TEXT CHECK (court_disposition IN ('acquitted', 'dismissed', 'withdrawn', 'stayed', 'reprimand', 'absolute_discharge', 'conditional_discharge', 'summary_conviction', 'indictable_conviction')),
    disposition_on DATE,
    sentence_completed_on DATE,
    access_period_ends_on DATE,
    access_period_rule TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    -- One outcome per young person per incident.
    UNIQUE (incident_id, person_id),
    CHECK (court_disposition IS NULL OR measure = 'charge'),
    CHECK ((court_disposition IS NULL) = (disposition_on IS NULL))
);
-- `/v1/incidents/{id}/outcomes`, and the officer policy (through the incident).
CREATE INDEX outcomes_incident_idx ON outcomes (incident_id, created_at, id);
-- Unfiltered `/v1/outcomes`; `measure` along it.
CREATE INDEX outcomes_created_idx ON outcomes (created_at, id);
-- `person_id`, and a person's retention (the latest access period of their outcomes).
CREATE INDEX outcomes_person_idx ON outcomes (person_id, created_at, id);
-- `access_period_ends_from` / `access_period_ends_to`.
CREATE INDEX outcomes_period_idx ON outcomes (access_period_ends_on);

-- Disclosures to schools (API.md §7, YCJA s. 125(6)-(7)): what an officer told a school about a
-- young person, to whom and why, and until when the school may keep it. The one channel through
-- which a board client sees a young person's name, while it is neither destroyed nor past
-- destroy_by.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY NOT NULL,
    -- NOT NULL: the retention pass deletes a destroyed person's disclosures with the person.
    person_id TEXT NOT NULL REFERENCES persons (id),
    school_id TEXT NOT NULL REFERENCES schools (id),
    recipient_name TEXT NOT NULL,
    recipient_role TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('court_order_compliance', 'safety', 'rehabilitation')),
    information TEXT NOT NULL CHECK (length(information) <= 2000),
    -- The city-local day of the disclosure: the "record's day" of the officer rule.
    disclosed_on DATE NOT NULL,
    -- The last day the school may keep it (s. 125(7)(c)); the board loses it the day after.
    destroy_by DATE NOT NULL,
    -- Set once by the board (or the unit): received, and destroyed.
    acknowledged_at TIMESTAMP,
    destroyed_at TIMESTAMP,
    -- Set once, when destroy_by had passed and the change feed was told (or at creation when it
    -- had already passed): the hourly pass finds the rows still to announce by this column.
    expired_at TIMESTAMP,
    -- The officer whose client made it (officers always see what they disclosed).
    created_by_officer TEXT REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (destroy_by > disclosed_on)
);
-- Unfiltered `/v1/disclosures` (admin); `purpose` along it.
CREATE INDEX disclosures_created_idx ON disclosures (created_at, id);
-- `person_id`, `/v1/persons/{id}/disclosures`, and deleting a destroyed person's disclosures.
CREATE INDEX disclosures_person_idx ON disclosures (person_id, created_at, id);
-- `school_id`, the board policy (its schools' disclosures) and the officer rule (assigned at the
-- school on disclosed_on or today).
CREATE INDEX disclosures_school_idx ON disclosures (school_id, created_at, id);
-- The officer rule: what it disclosed.
CREATE INDEX disclosures_creator_idx ON disclosures (created_by_officer);
-- The hourly expiry pass: destroy_by passed, not yet announced.
CREATE INDEX disclosures_expiry_idx ON disclosures (destroy_by) WHERE expired_at IS NULL;

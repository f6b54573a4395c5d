CREATE TABLE boards (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    kind TEXT NOT NULL CHECK (kind IN ('public', 'catholic')),
    ministry_number TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- The four boards have fixed ids that never change (API.md §6).
INSERT INTO boards (id, code, name, name_fr, language, kind, ministry_number, created_at, updated_at, version) VALUES
 ('018f0000-0000-7000-8000-000000000001', 'OCDSB', 'Ottawa-Carleton District School Board', 'Conseil scolaire de district d''Ottawa-Carleton', 'en', 'public', 'B66184', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1),
 ('018f0000-0000-7000-8000-000000000002', 'OCSB', 'Ottawa Catholic School Board', 'Conseil scolaire catholique d''Ottawa', 'en', 'catholic', 'B67180', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1),
 ('018f0000-0000-7000-8000-000000000003', 'CECCE', 'Conseil des écoles catholiques du Centre-Est', 'Conseil des écoles catholiques du Centre-Est', 'fr', 'catholic', 'B67334', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1),
 ('018f0000-0000-7000-8000-000000000004', 'CEPEO', 'Conseil des écoles publiques de l''Est de l''Ontario', 'Conseil des écoles publiques de l''Est de l''Ontario', 'fr', 'public', 'B66311', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1);

CREATE TABLE schools (
    id TEXT PRIMARY KEY NOT NULL,
    board_id TEXT REFERENCES boards (id),
    ministry_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('elementary', 'secondary', 'combined')),
    language TEXT CHECK (language IN ('en', 'fr')),
    kind TEXT NOT NULL CHECK (kind IN ('public', 'catholic', 'private')),
    street TEXT,
    city TEXT,
    postal_code TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX schools_created_idx ON schools (created_at, id);
CREATE INDEX schools_board_idx ON schools (board_id, created_at, id);

CREATE TABLE officers (
    id TEXT PRIMARY KEY NOT NULL,
    badge_number TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX officers_created_idx ON officers (created_at, id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY NOT NULL,
    school_id TEXT NOT NULL REFERENCES schools (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    role TEXT NOT NULL CHECK (role IN ('primary', 'backup')),
    starts_on DATE NOT NULL,
    ends_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX assignments_school_idx ON assignments (school_id, role, starts_on);
CREATE INDEX assignments_officer_idx ON assignments (officer_id, starts_on);
CREATE INDEX assignments_created_idx ON assignments (created_at, id);

CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'board', 'agency', 'dashboard')),
    board_id TEXT REFERENCES boards (id),
    agency_id TEXT,
    officer_id TEXT REFERENCES officers (id),
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX clients_created_idx ON clients (created_at, id);

-- The generated token-signing key, shared by every instance on this database.
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY NOT NULL,
    private_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

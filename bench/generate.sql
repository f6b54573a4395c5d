-- The performance data set (issue 11): on top of the demo (398 Ottawa schools, officers and
-- two school years of case records), synthetic schools up to 450, 20,000 youth and 200,000
-- incidents spread evenly over the 450 schools, each with one subject. PostgreSQL; runs in
-- well under a minute (bench/limit.sh times it). Ids are random UUIDs, timestamps go back one
-- minute per incident from the demo's start, so keyset pages and the per-school indexes see
-- realistic data.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO schools (id, board_id, ministry_number, name, name_folded, level, language, kind, active,
                     created_at, updated_at, version)
SELECT gen_random_uuid()::text, '018f0000-0000-7000-8000-000000000001', lpad((950000 + n)::text, 6, '0'),
       'Bench School ' || n, 'bench school ' || n, 'elementary', 'en', 'public', true,
       now() - interval '800 days' + n * interval '1 second', now() - interval '800 days', 1
FROM generate_series(1, greatest(0, 450 - (SELECT count(*) FROM schools))) AS n;

CREATE TEMP TABLE bench_schools AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM schools;
CREATE TEMP TABLE bench_persons (n bigint, id text);

INSERT INTO persons (id, given_name, family_name, family_folded, date_of_birth, school_id, created_on,
                     created_at, updated_at, version)
SELECT gen_random_uuid()::text, 'Youth' || g.n, 'Bench' || (g.n % 997), 'bench' || (g.n % 997),
       date '2010-01-01' + (g.n % 2500)::int, s.id, date '2024-09-01',
       timestamp '2024-09-01' + g.n * interval '1 second', timestamp '2024-09-01', 1
FROM generate_series(0, 19999) AS g(n) JOIN bench_schools s ON s.n = g.n % 450;
INSERT INTO bench_persons SELECT row_number() OVER (ORDER BY id) - 1, id FROM persons WHERE family_folded LIKE 'bench%';

CREATE TEMP TABLE bench_incidents AS
SELECT g.n, gen_random_uuid()::text AS id, s.id AS school_id,
       timestamp '2024-09-01' + g.n * interval '3 minutes' AS at
FROM generate_series(0, 199999) AS g(n) JOIN bench_schools s ON s.n = g.n % 450;

INSERT INTO incidents (id, school_id, occurred_at, occurred_on, reported_at, location, during_school_hours,
                       category, safe_schools_reportable, summary, status, created_at, updated_at, version)
SELECT i.id, i.school_id, i.at, i.at::date, i.at + interval '1 hour',
       (ARRAY['school_property', 'travel_to_school', 'travel_from_school', 'school_event', 'other'])[1 + i.n % 5],
       i.n % 3 <> 0,
       (ARRAY['assault', 'threat', 'weapon', 'drugs_alcohol', 'theft', 'mischief', 'bullying', 'cyber',
              'sexual_offence', 'trespass', 'mental_health', 'other'])[1 + i.n % 12],
       false, 'Synthetic incident for the benchmark.', 'open', i.at + interval '1 hour', i.at + interval '1 hour', 1
FROM bench_incidents i;

INSERT INTO incident_persons (incident_id, person_id, role, position)
SELECT i.id, p.id, 'subject', 0 FROM bench_incidents i JOIN bench_persons p ON p.n = i.n % 20000;
COMMIT;
ANALYZE;

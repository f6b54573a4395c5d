-- The Content-Language of a kept answer (API.md §8): a replay says the language its body was
-- written in, which is the first request's, whatever the retry asks for.
ALTER TABLE idempotency_keys ADD COLUMN content_language TEXT;

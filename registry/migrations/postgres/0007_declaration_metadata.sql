-- +goose Up
-- Declaration metadata (issue 18): what the publisher states about the
-- installation beside the footprint (name, address, UN/LOCODE,
-- coordinates, contact, verifier, data-quality notes), a JSON object kept
-- as the exact bytes given (text, not jsonb, which would reorder keys),
-- NULL when none. ContentHashV2 covers it when it is present (see
-- registry.ContentHashV2), so declarations stored before keep their
-- hashes. declarations_guard of 0001 compares whole rows, so it guards
-- the new column already.

ALTER TABLE declarations ADD COLUMN metadata text;

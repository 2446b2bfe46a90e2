-- Retention: how long a programme keeps participants' words after a session, in months
-- (empty: until someone deletes them).
ALTER TABLE programme ADD COLUMN retention_months INTEGER;

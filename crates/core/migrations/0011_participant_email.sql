-- Participant lists: a participant's email address, when the list they came from gave one.
-- It tells the same person imported twice apart from a namesake. Erasure empties it.
ALTER TABLE participant ADD COLUMN email TEXT;

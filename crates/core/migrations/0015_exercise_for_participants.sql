-- An exercise's description for participants (issue 15): what the handout says about it,
-- kept apart from the facilitator's purpose and steps, which stay in the facilitator's notes.
ALTER TABLE exercise ADD COLUMN for_participants TEXT NOT NULL DEFAULT '';

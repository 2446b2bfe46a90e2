-- Counting a session's (or a place's) reflections from an index alone, for theme summaries.
CREATE INDEX reflection_live_by_session ON reflection (session_id, id) WHERE deleted = 0 AND text != '';

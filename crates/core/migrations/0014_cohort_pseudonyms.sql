-- One pseudonym per person for a whole cohort (issue 15): "Participant N", where N is the
-- person's place in the order their participant records were made within their cohort (the
-- programme version; people in no version form one cohort of their own). The order is that
-- of the record ids, UUIDv7s minted once where the person was added and never changed, so
-- every laptop that holds the same records gives the same numbers without a record of its
-- own to sync. Everyone counts, whether named, deleted, erased or anonymised (their rows
-- stay, scrubbed), so no one's number moves when someone else leaves or changes consent.
-- See docs/documents.md.
CREATE VIEW participant_pseudonym AS
SELECT id AS participant_id,
       version_id,
       ROW_NUMBER() OVER (PARTITION BY version_id ORDER BY id) AS number
FROM participant;

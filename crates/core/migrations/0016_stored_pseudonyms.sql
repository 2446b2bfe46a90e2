-- One pseudonym per person for a whole cohort, stored (issue 15): the number a participant
-- was given when they were added (one more than the highest in their cohort), carried in
-- their record so that it travels with them through sync and stays after they are erased.
-- Records made before this column, and those from older Fieldbooks, have none: they keep
-- the number the rule of migration 0014 gave them (their place in id order), and it is
-- stored the next time they are saved. Two people of one cohort with the same number (two
-- laptops adding someone offline) are settled when numbers are read, the same on every
-- laptop: the earlier id keeps it, the other takes the next free one
-- (`pseudonym::settle`). The change log is not rewritten: other laptops hold the same
-- versions, and a version that differs under the same stamp is refused as damaged.
-- See docs/documents.md.
ALTER TABLE participant ADD COLUMN pseudonym_number INTEGER CHECK (pseudonym_number > 0);
DROP VIEW participant_pseudonym;

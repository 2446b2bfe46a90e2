-- Whether an erasure came from anonymising (their words kept, without their name) or is a
-- full erasure (their words removed too). A full erasure wins over an anonymisation of the
-- same person, wherever and in whatever order the two meet (see erasure.rs). Erasures made
-- before this was recorded keep the rule they were made under (words credited to no one
-- were kept), so that laptops that already hold them keep agreeing on every version.
ALTER TABLE erased_participant ADD COLUMN words_kept INTEGER NOT NULL DEFAULT 1;

-- Answers participants send from their own phones (issue 14): where a reflection was sent
-- from. NULL for one typed at the laptop, 'phone' for one sent from a phone.
ALTER TABLE reflection ADD COLUMN sent_from TEXT;

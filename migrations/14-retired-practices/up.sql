-- Version 14: retired practices as a register. A resolution that retires a practice names its
-- owner, the hours per month it freed (an estimate the team enters, a number as text) and the
-- answers of its reviews ("still retired?") at 30 and 90 days after the decision.
ALTER TABLE resolution_fields ADD COLUMN practice_owner TEXT;
ALTER TABLE resolution_fields ADD COLUMN hours_freed TEXT;
ALTER TABLE resolution_fields ADD COLUMN review_30 TEXT;
ALTER TABLE resolution_fields ADD COLUMN review_90 TEXT;

-- Version 12: consent rounds on resolutions. A round asks every perspective with a position in
-- the frictions a resolution resolves (and persons added) for consent, a concern or an objection.
-- Each part is a register of the resolution in the merge state (`round.state`, `round.answer.<person>`, …);
-- these tables are its current value, so open rounds and answers can be queried.

CREATE TABLE rounds (
    item_id     TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('open','closed')),
    opened      TEXT NOT NULL,                 -- RFC 3339
    asked       TEXT NOT NULL,                 -- JSON: the perspectives asked
    with_people TEXT NOT NULL,                 -- JSON: the ids of persons added
    closed      TEXT,                          -- YYYY-MM-DD
    override_by TEXT,                          -- person id, when closed over a standing objection
    override_reason TEXT
) STRICT;
CREATE INDEX rounds_state ON rounds(state);

CREATE TABLE round_answers (
    item_id     TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    person_id   TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('consent','concern','objection')),
    reason      TEXT,
    perspective TEXT NOT NULL,
    friction    TEXT,                          -- the child friction an objection became
    at          TEXT NOT NULL,
    PRIMARY KEY (item_id, person_id)
) STRICT;
CREATE INDEX round_answers_person ON round_answers(person_id);

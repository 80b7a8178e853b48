-- Version 16: the lens's rows. Everything the integration lens reads of one live item — its
-- kind, title, creator, fields, resolved links, contributors and stances — encoded in one row
-- (`src/lens/rows.rs`), so the lens reads one row per item instead of a row in each of nine
-- tables, each keyed by a 36-character id. Derived and rebuildable like the search index: the
-- triggers below mark an item stale whenever a table it is read from changes (whichever code
-- writes it), and the lens encodes the stale items again before it reads. A trigger's own
-- `OR IGNORE` would give way to the conflict rule of the statement that fired it, so the marks
-- are inserted only where missing instead.
CREATE TABLE lens_rows (
    item_id TEXT PRIMARY KEY,   -- read in id order, the order the lens has always read items in
    data    BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE lens_stale (
    item_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Every live item is stale until the lens first encodes it.
INSERT INTO lens_stale(item_id) SELECT id FROM items;

CREATE TRIGGER lens_items_ins AFTER INSERT ON items BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.id);
END;
CREATE TRIGGER lens_items_upd AFTER UPDATE OF id, kind, title, author, created, deleted ON items BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.id);
END;
CREATE TRIGGER lens_items_del AFTER DELETE ON items BEGIN
    DELETE FROM lens_rows WHERE item_id = OLD.id;
    INSERT INTO lens_stale(item_id) SELECT OLD.id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.id);
END;

CREATE TRIGGER lens_links_ins AFTER INSERT ON links WHEN NEW.target_id IS NOT NULL BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.source_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.source_id);
END;
CREATE TRIGGER lens_links_upd AFTER UPDATE OF source_id, target_id, rel ON links BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.source_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.source_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.source_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.source_id);
END;
CREATE TRIGGER lens_links_del AFTER DELETE ON links WHEN OLD.target_id IS NOT NULL BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.source_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.source_id);
END;

CREATE TRIGGER lens_tags_ins AFTER INSERT ON tags WHEN NEW.tag = 'all-day' BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_tags_upd AFTER UPDATE ON tags WHEN NEW.tag = 'all-day' OR OLD.tag = 'all-day' BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_tags_del AFTER DELETE ON tags WHEN OLD.tag = 'all-day' BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_contributors_ins AFTER INSERT ON contributors BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_contributors_upd AFTER UPDATE ON contributors BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_contributors_del AFTER DELETE ON contributors BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_positions_ins AFTER INSERT ON friction_positions BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_positions_upd AFTER UPDATE ON friction_positions BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_positions_del AFTER DELETE ON friction_positions BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_signal_ins AFTER INSERT ON signal_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_signal_upd AFTER UPDATE OF item_id, source, customer, date ON signal_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_signal_del AFTER DELETE ON signal_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_insight_ins AFTER INSERT ON insight_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_insight_upd AFTER UPDATE ON insight_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_insight_del AFTER DELETE ON insight_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_friction_ins AFTER INSERT ON friction_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_friction_upd AFTER UPDATE ON friction_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_friction_del AFTER DELETE ON friction_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_resolution_ins AFTER INSERT ON resolution_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_resolution_upd AFTER UPDATE OF item_id, agreed_by, decided_on, retires ON resolution_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_resolution_del AFTER DELETE ON resolution_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

CREATE TRIGGER lens_meeting_ins AFTER INSERT ON meeting_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
END;
CREATE TRIGGER lens_meeting_upd AFTER UPDATE OF item_id, start, "end", attendees ON meeting_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT NEW.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = NEW.item_id);
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;
CREATE TRIGGER lens_meeting_del AFTER DELETE ON meeting_fields BEGIN
    INSERT INTO lens_stale(item_id) SELECT OLD.item_id WHERE NOT EXISTS (SELECT 1 FROM lens_stale WHERE item_id = OLD.item_id);
END;

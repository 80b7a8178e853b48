//! A workspace written by an older Mellanrum opens, upgrades in place, and keeps its data.

use crate::util::Ws;
use mellanrum::model::{Fields, Item, Kind, Person};
use mellanrum::store::{Store, MIGRATIONS};
use mellanrum::workspace::DB_FILE;

#[test]
fn a_database_from_the_first_migration_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        // What the first released schema wrote: a person, a friction with positions, a link.
        let mut store = Store::open_at(&db, Some(1)).unwrap();
        assert_eq!(store.schema_version().unwrap(), 1);
        store
            .write(|tx| {
                tx.set_meta("name", "Old workspace")?;
                tx.set_meta("device", "0190aaaa-0000-7000-8000-000000000001")?;
                let p = Person {
                    id: "0190aaaa-0000-7000-8000-0000000000aa".into(),
                    name: "Anna".into(),
                    perspective: "Sales".into(),
                    created: "2025-01-01T00:00:00.000Z".into(),
                };
                tx.insert_person(&p)?;
                tx.set_meta("current_person", &p.id)?;
                let mut fields = Fields::defaults(Kind::Friction);
                fields.positions.insert("Sales".into(), "Ship now".into());
                tx.put_item(&Item {
                    id: "0190aaaa-0000-7000-8000-0000000000f1".into(),
                    kind: Kind::Friction,
                    title: "Legacy friction".into(),
                    body: "Mentions [[Legacy note]]".into(),
                    tags: vec!["legacy".into()],
                    aliases: vec![],
                    fields,
                    author: p.id.clone(),
                    created: "2025-01-01T00:00:00.000Z".into(),
                    updated: "2025-01-01T00:00:00.000Z".into(),
                    deleted: false,
                })?;
                Ok(())
            })
            .unwrap();
    }

    // Opening through the CLI upgrades it and everything is still there.
    let ws = Ws { dir };
    let v = ws.show("legacy friction");
    assert_eq!(v["fields"]["positions"]["Sales"], "Ship now");
    assert_eq!(v["tags"], serde_json::json!(["legacy"]));
    assert_eq!(v["author"], "Anna");
    ws.ok(&["edit", "Legacy friction", "--set", "status=exploring"]);
    ws.ok(&["add", "note", "--title", "Legacy note"]);
    assert_eq!(ws.json(&["info"])["name"], "Old workspace");

    let store = Store::open(&ws.path().join(DB_FILE)).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn who_contributed_is_kept_beside_the_history_and_filled_in_for_an_older_workspace() {
    let ws = Ws::empty();
    ws.ok(&["person", "add", "Anna", "--perspective", "Sales"]);
    ws.ok(&["person", "add", "Erik", "--perspective", "Engineering"]);
    ws.ok(&["--as", "Anna", "add", "note", "--title", "Pricing tiers", "--body", "Three tiers."]);
    for word in ["Two", "Four", "Five"] {
        ws.ok(&["--as", "Erik", "edit", "Pricing tiers", "--body", &format!("{word} tiers.")]);
    }
    ws.ok(&["--as", "Anna", "add", "note", "--title", "Sales notes"]);
    let db = ws.path().join(DB_FILE);
    let pairs = |conn: &rusqlite::Connection| -> Vec<(String, String)> {
        let mut st = conn
            .prepare("SELECT i.title, p.name FROM contributors c JOIN items i ON i.id = c.item_id JOIN people p ON p.id = c.author ORDER BY 1, 2")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let want = [("Pricing tiers", "Anna"), ("Pricing tiers", "Erik"), ("Sales notes", "Anna")].map(|(a, b)| (a.to_string(), b.to_string()));
    {
        // Four revisions of one note by two people: two pairs, written by the save itself.
        let conn = rusqlite::Connection::open(&db).unwrap();
        assert_eq!(pairs(&conn), want);
        let revisions: i64 = conn.query_row("SELECT COUNT(*) FROM revisions", [], |r| r.get(0)).unwrap();
        assert_eq!(revisions, 5);
        // The workspace as the release before this schema left it: no pairs kept, nor what came
        // after them (the lens's rows and their triggers). `user_version` counts the migrations
        // applied: those before the one that keeps the pairs.
        let before = MIGRATIONS.iter().position(|m| m.contains("CREATE TABLE contributors")).expect("the contributors migration");
        let triggers: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'lens\\_%' ESCAPE '\\'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!triggers.is_empty(), "the lens's triggers are there to drop");
        let drops: String = triggers.iter().map(|t| format!("DROP TRIGGER {t};")).collect();
        conn.execute_batch(&format!(
            "{drops} DROP TABLE lens_rows; DROP TABLE lens_stale; DROP TABLE contributors; PRAGMA user_version = {before};"
        ))
        .unwrap();
    }
    // Opening upgrades it and fills the pairs in from the history; the lens counts the note as
    // written across Sales and Engineering.
    let matrix = ws.json(&["lens"])["matrix"].clone();
    let pair = matrix.as_array().unwrap().iter().find(|r| r["a"] == "Engineering" && r["b"] == "Sales").expect("the pair of perspectives");
    assert_eq!(pair["co_authored"], 1, "{pair}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(pairs(&conn), want);
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, MIGRATIONS.len() as i64);
}

#[test]
fn a_database_from_a_newer_mellanrum_is_refused_not_damaged() {
    let ws = Ws::new();
    let db = ws.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let err = ws.fails(&["list"]);
    assert!(err.contains("newer Mellanrum"), "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, 999);
}

#[test]
fn migrations_are_append_only() {
    // Released migrations are never edited: their checksums are pinned here. A new migration is
    // a new folder; add its line below.
    let pinned: &[(&str, u64)] = &[
        ("01-init", 0xb5403a13797b9963),
        ("02-index-queue", 0x3e5912459745c8d8),
        ("04-import-sources", 0x89e0bc3fc3f4be54),
        ("05-calendar-events", 0xfe8b0df8905deb45),
        ("06-sync", 0x11734ea4a9096f21),
        ("07-live-item-indexes", 0x77549534ae8b26d4),
        ("08-lens-item-index", 0xa4ece79f852f8986),
        ("09-compact-history", 0xf2d7d4cf4e23b179),
        ("10-one-updated-register", 0x260d73dc305b9ec4),
        ("11-attachments", 0x3cc5e54edcfe22e0),
        ("12-consent-rounds", 0x3054a1cd2ae2061e),
        ("13-sync-files", 0xc7038311c932a13),
        ("14-retired-practices", 0x21c46f6600f048bb),
        ("15-contributors", 0x7a7b74081b37bda5),
        ("16-lens-rows", 0xd6ccfc2a941d8edf),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    assert_eq!(pinned.len(), MIGRATIONS.len(), "pin every migration here (name and FNV-1a checksum of its up.sql)");
    for (i, (name, sum)) in pinned.iter().enumerate() {
        let on_disk = std::fs::read_to_string(dir.join(name).join("up.sql")).unwrap();
        assert_eq!(on_disk, MIGRATIONS[i], "migration {name} is embedded in order");
        assert_eq!(fnv1a(on_disk.as_bytes()), *sum, "released migration {name} was edited; add a new migration instead");
    }
    // Every folder is one of them, and their numbers only go up: two changes made side by side
    // that each take the next number meet here, not in a user's database.
    let mut folders: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    folders.sort();
    let names: Vec<&str> = pinned.iter().map(|(n, _)| *n).collect();
    assert_eq!(folders, names, "every folder in migrations/ is embedded and pinned, in order");
    let numbers: Vec<u32> = names
        .iter()
        .map(|n| n.split('-').next().and_then(|d| d.parse().ok()).expect("a migration folder starts with its number"))
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "migration numbers repeat or go back: {numbers:?}");
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

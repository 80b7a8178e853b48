//! Rules of the code's structure that test themselves: a rule broken anywhere in src/ fails here,
//! naming the file and line.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `(file relative to src/, line number, line)` of every line of every source file, up to its
/// unit tests (a `#[cfg(test)]` at the start of a line: tests build their own databases).
fn lines() -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
        for (i, l) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if l.starts_with("#[cfg(test)]") {
                break;
            }
            out.push((rel.clone(), i + 1, l.to_string()));
        }
    }
    out
}

/// The tables that make up the record of items: only the write path's SQL writes them.
const RECORD_TABLES: &[&str] = &[
    "items",
    "signal_fields",
    "insight_fields",
    "friction_fields",
    "friction_positions",
    "resolution_fields",
    "goal_fields",
    "meeting_fields",
    "rounds",
    "round_answers",
    "tags",
    "aliases",
    "revisions",
    "changes",
    "sync_fields",
    "sync_dots",
    "crdt_state",
    "attachments",
];

/// The table a statement in `line` writes, if it writes one of `tables`.
fn writes(line: &str, tables: &[&str]) -> Option<String> {
    let up = line.to_uppercase();
    for verb in ["INSERT INTO ", "INSERT OR IGNORE INTO ", "INSERT OR REPLACE INTO ", "REPLACE INTO ", "UPDATE ", "DELETE FROM "] {
        let mut from = 0;
        while let Some(at) = up[from..].find(verb) {
            let start = from + at + verb.len();
            let name: String = line[start..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if tables.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                return Some(name);
            }
            from = start;
        }
    }
    None
}

#[test]
fn only_the_store_s_write_module_has_sql_that_writes_the_record() {
    let bad: Vec<String> = lines()
        .into_iter()
        .filter(|(f, ..)| f != "store/write.rs")
        .filter_map(|(f, n, l)| writes(&l, RECORD_TABLES).map(|t| format!("src/{f}:{n} writes {t}: {}", l.trim())))
        .collect();
    assert!(bad.is_empty(), "SQL that writes the record outside src/store/write.rs:\n{}", bad.join("\n"));
}

#[test]
fn the_rule_finds_what_it_looks_for() {
    assert_eq!(writes(r#"  "INSERT OR REPLACE INTO signal_fields(item_id) VALUES (?1)""#, RECORD_TABLES).as_deref(), Some("signal_fields"));
    assert_eq!(writes("DELETE FROM tags WHERE item_id = ?1", RECORD_TABLES).as_deref(), Some("tags"));
    assert_eq!(writes("UPDATE revisions SET layout = 2", RECORD_TABLES).as_deref(), Some("revisions"));
    assert_eq!(writes("UPDATE links SET target_id = ?2", RECORD_TABLES), None);
    assert_eq!(writes("INSERT INTO index_queue(item_id) SELECT id FROM items", RECORD_TABLES), None);
}

#[test]
fn sql_lives_in_the_store_and_tantivy_in_the_index() {
    let mut bad = Vec::new();
    for (f, n, l) in lines() {
        let code = l.split("//").next().unwrap_or("");
        if !f.starts_with("store")
            && f != "error.rs"
            && (code.contains(".prepare_cached(") || code.contains("rusqlite::") || code.contains(".execute_batch("))
        {
            bad.push(format!("src/{f}:{n} uses SQLite outside src/store/: {}", l.trim()));
        }
        if !f.starts_with("index/") && code.contains("tantivy::") {
            bad.push(format!("src/{f}:{n} uses tantivy outside src/index/: {}", l.trim()));
        }
        if code.contains("tauri") {
            bad.push(format!("src/{f}:{n}: the core does not know the desktop shell: {}", l.trim()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The names between `open` and the next `close` in `text`, each trimmed of quotes and commas;
/// blank lines and comments skipped.
fn listed(text: &str, open: &str, close: &str) -> Vec<String> {
    let start = text.find(open).unwrap_or_else(|| panic!("'{open}' is not there")) + open.len();
    let end = start + text[start..].find(close).unwrap();
    text[start..end]
        .lines()
        .map(|l| l.split("//").next().unwrap().split('#').next().unwrap().trim().trim_end_matches(',').trim_matches('"').to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[path = "../src-tauri/src/command_names.rs"]
mod command_names;

#[test]
fn every_command_of_the_shell_is_permitted_and_nothing_else() {
    let shell = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
    let read = |p: &str| std::fs::read_to_string(shell.join(p)).unwrap();
    let handled = listed(&read("src/commands.rs"), "tauri::generate_handler![", "]");
    // build.rs generates a permission for each `#[tauri::command]` function, read the same way.
    let built = command_names::of(&read("src/commands.rs"));
    let allowed: Vec<String> = listed(&read("permissions/app.toml"), "permissions = [", "]")
        .iter()
        .map(|p| p.strip_prefix("allow-").unwrap_or(p).replace('-', "_"))
        .collect();
    assert!(handled.len() > 30, "the command list was not read: {handled:?}");
    let mut bad = Vec::new();
    for c in &handled {
        if !built.contains(c) {
            bad.push(format!("src-tauri/build.rs: the command {c} has no permission generated (mark it #[tauri::command])"));
        }
        if !allowed.contains(c) {
            bad.push(format!(
                "src-tauri/permissions/app.toml: the command {c} is not in allow-app-commands (the window gets 'not allowed')"
            ));
        }
    }
    for c in built.iter().chain(&allowed) {
        if !handled.contains(c) {
            bad.push(format!("src-tauri: {c} is permitted but no command of that name is handled (src/commands.rs)"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

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
    // Served as `module::command`.
    let handled: Vec<String> = listed(&read("src/commands/mod.rs"), "tauri::generate_handler![", "]")
        .iter()
        .map(|c| c.rsplit("::").next().unwrap().to_string())
        .collect();
    // build.rs generates a permission for each `#[tauri::command]` function of src/commands/, read the same way.
    let built = command_names::in_dir(&shell.join("src/commands"));
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
            bad.push(format!("src-tauri: {c} is permitted but no command of that name is handled (src/commands/mod.rs)"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---- sizes: files and functions a newcomer can hold in their head ----------------------------

/// The most lines a source file in src/ may have.
const MAX_FILE_LINES: usize = 800;

/// The most lines a function may have unless a `// long: <reason>` line stands directly above it
/// (above its doc comment and attributes, if any).
const MAX_FN_LINES: usize = 120;

/// Files allowed over the limit for now (none since lens.rs and trace.rs became lens/ and
/// trace/); a file named here stays only until it is under the limit.
const LONG_FILES_FOR_NOW: &[&str] = &[];

/// Long functions allowed for now (file, function); none since `between_chairs` was split. This
/// list only ever shrinks.
const LONG_FNS_FOR_NOW: &[(&str, &str)] = &[];

/// Every source file below src/, as (path relative to src/, text).
fn texts() -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| (f.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read_to_string(&f).unwrap()))
        .collect()
}

#[test]
fn no_source_file_is_over_800_lines() {
    let bad: Vec<String> = texts()
        .into_iter()
        .filter(|(f, _)| !LONG_FILES_FOR_NOW.contains(&f.as_str()))
        .filter_map(|(f, t)| {
            let n = t.lines().count();
            (n > MAX_FILE_LINES).then(|| format!("src/{f} has {n} lines (at most {MAX_FILE_LINES}: split it along its sections)"))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every function with a body (free, in an impl, a trait's default) as (name, first line, last line).
#[derive(Default)]
struct Fns(Vec<(String, usize, usize)>);

impl<'ast> syn::visit::Visit<'ast> for Fns {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.0.push((f.sig.ident.to_string(), f.sig.fn_token.span.start().line, f.block.brace_token.span.close().end().line));
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.0.push((f.sig.ident.to_string(), f.sig.fn_token.span.start().line, f.block.brace_token.span.close().end().line));
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.0.push((f.sig.ident.to_string(), f.sig.fn_token.span.start().line, b.brace_token.span.close().end().line));
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// The functions of `text` longer than [`MAX_FN_LINES`] with no `// long: …` line above them,
/// as (name, lines).
fn long_fns(text: &str) -> Vec<(String, usize)> {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("does not parse: {e}"));
    let mut fns = Fns::default();
    syn::visit::Visit::visit_file(&mut fns, &file);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (name, first, last) in fns.0 {
        let n = last - first + 1;
        if n <= MAX_FN_LINES {
            continue;
        }
        // Up from the line of `fn`, past its own first line, doc comments and attributes.
        let mut at = first - 1;
        while at > 0 {
            let l = lines[at - 1].trim_start();
            if l.starts_with("///") || l.starts_with("#[") || l.starts_with("pub") || l.starts_with(')') || l.starts_with(']') {
                at -= 1;
            } else {
                break;
            }
        }
        let stated = at > 0 && lines[at - 1].trim_start().starts_with("// long:");
        if !stated {
            out.push((name, n));
        }
    }
    out
}

#[test]
fn no_function_is_over_120_lines_without_a_stated_reason() {
    let mut bad = Vec::new();
    for (f, t) in texts() {
        for (name, n) in long_fns(&t) {
            if !LONG_FNS_FOR_NOW.contains(&(f.as_str(), name.as_str())) {
                bad.push(format!("src/{f}: fn {name} has {n} lines (at most {MAX_FN_LINES}, or a `// long: <reason>` line above it)"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_size_rules_find_what_they_look_for() {
    let body = "    let x = 1;\n".repeat(MAX_FN_LINES);
    let long = format!("fn short() {{}}\n\n/// Does much.\n#[inline]\nfn long() {{\n{body}}}\n");
    assert_eq!(long_fns(&long), vec![("long".to_string(), MAX_FN_LINES + 2)]);
    let stated = format!("// long: one table of cases, read top to bottom.\n/// Does much.\nfn long() {{\n{body}}}\n");
    assert!(long_fns(&stated).is_empty());
    let method = format!("struct S;\nimpl S {{\n    pub fn long(&self) {{\n{body}    }}\n}}\n");
    assert_eq!(long_fns(&method), vec![("long".to_string(), MAX_FN_LINES + 2)]);
}

// ---- layers: which part of the core may use which -------------------------------------------

/// The pure core: plain data and parsing, no I/O. Uses nothing but itself.
const PURE: &[&str] = &["error", "model", "links", "hlc", "history", "lexicon"];

/// The derived engines and the one write path: they take narrow inputs (a transaction, an index
/// handle, a loaded graph), never the whole `Workspace`.
const ENGINES: &[&str] = &["write", "index", "graph", "trace", "lens", "chairs", "similar", "search"];

/// Edges that break the layers today, each to be removed by moving its code to the layer it
/// belongs to (file, the module it uses). This list only ever shrinks.
const LAYER_EDGES_FOR_NOW: &[(&str, &str)] = &[];

/// The first module of every `crate::…` path in `file` (uses and paths in code alike; comments
/// and doc comments are not code).
#[derive(Default)]
struct Uses(Vec<(String, usize)>);

impl Uses {
    fn tree(&mut self, t: &syn::UseTree, under_crate: bool) {
        match t {
            syn::UseTree::Path(p) if !under_crate && p.ident == "crate" => self.tree(&p.tree, true),
            syn::UseTree::Path(p) if under_crate => self.0.push((p.ident.to_string(), p.ident.span().start().line)),
            syn::UseTree::Name(n) if under_crate => self.0.push((n.ident.to_string(), n.ident.span().start().line)),
            syn::UseTree::Rename(r) if under_crate => self.0.push((r.ident.to_string(), r.ident.span().start().line)),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.tree(t, under_crate)),
            _ => {}
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for Uses {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.tree(&u.tree, false);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let mut s = p.segments.iter();
        if let (Some(first), Some(second)) = (s.next(), s.next()) {
            if first.ident == "crate" {
                self.0.push((second.ident.to_string(), second.ident.span().start().line));
            }
        }
        syn::visit::visit_path(self, p);
    }
}

/// The modules of the crate that `text` uses, with the line of each use.
fn crate_uses(text: &str) -> Vec<(String, usize)> {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("does not parse: {e}"));
    let mut u = Uses::default();
    syn::visit::Visit::visit_file(&mut u, &file);
    u.0
}

/// Why `from` (a top-level module of the core) may not use `to`, if it may not.
fn forbidden(from: &str, to: &str) -> Option<&'static str> {
    if from == to || to == "error" {
        return None;
    }
    if PURE.contains(&from) && !PURE.contains(&to) {
        return Some("the pure core uses nothing but itself");
    }
    if from == "store" && !PURE.contains(&to) {
        return Some("the store (SQL) uses only the pure core");
    }
    if ENGINES.contains(&from) && to == "workspace" {
        return Some("a derived engine takes narrow inputs, never the Workspace");
    }
    None
}

#[test]
fn the_layers_use_only_the_layers_below() {
    let mut bad = Vec::new();
    for (f, t) in texts() {
        if f.starts_with("bin/") {
            continue;
        }
        let from = f.split(['/', '.']).next().unwrap().to_string();
        for (to, line) in crate_uses(&t) {
            if let Some(why) = forbidden(&from, &to) {
                if !LAYER_EDGES_FOR_NOW.contains(&(f.as_str(), to.as_str())) {
                    bad.push(format!("src/{f}:{line} uses crate::{to}: {why}"));
                }
            }
        }
    }
    bad.dedup();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_layer_rule_finds_what_it_looks_for() {
    let text = "use crate::{model::Kind, store::{Tx, Store}};\nfn f() { crate::workspace::today(); }\n/// [`crate::index`]\nfn g() {}\n";
    let used: Vec<String> = crate_uses(text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(used, ["model", "store", "workspace"]);
    assert_eq!(crate_uses(text).last().map(|u| u.1), Some(2));
    assert!(forbidden("model", "store").is_some());
    assert!(forbidden("store", "workspace").is_some());
    assert!(forbidden("store", "index").is_some());
    assert!(forbidden("lens", "workspace").is_some());
    assert!(forbidden("store", "model").is_none());
    assert!(forbidden("workspace", "index").is_none());
}

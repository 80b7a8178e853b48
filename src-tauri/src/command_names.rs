//! The names of the app's commands, read from the files of `src/commands/`: every `fn` under a
//! `#[tauri::command]` attribute, in order. The one list of commands is those functions; the build
//! script makes a permission of each name, and the tests hold the permission set, the handler and
//! the window's bindings to it.

use std::path::Path;

/// The command names defined in `source` (the text of one file of `src/commands/`).
pub fn of(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut under_attribute = false;
    for line in source.lines().map(str::trim_start) {
        if line.starts_with("#[tauri::command") {
            under_attribute = true;
        } else if under_attribute {
            if let Some(at) = line.find("fn ") {
                let name: String = line[at + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.push(name);
                under_attribute = false;
            }
        }
    }
    names
}

/// Every `.rs` file of `dir` (`src/commands/`) as (file name, text), in the order of their names.
pub fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a file of the commands' folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

/// The command names defined in the files of `dir` (`src/commands/`), file by file in the order
/// of their names.
pub fn in_dir(dir: &Path) -> Vec<String> {
    sources(dir).iter().flat_map(|(_, text)| of(text)).collect()
}

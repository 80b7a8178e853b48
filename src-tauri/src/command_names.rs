//! The names of the app's commands, read from `src/commands.rs`: every `fn` under a
//! `#[tauri::command]` attribute, in order. The one list of commands is those functions; the build
//! script makes a permission of each name, and the tests hold the permission set, the handler and
//! the window's bindings to it.

/// The command names defined in `source` (the text of `src/commands.rs`).
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

//! The commands the window may call. Each is a thin call into [`mellanrum::Workspace`]: argument
//! shapes in, the core's view types out, errors as the core's one-line messages. No rules here.

use std::collections::BTreeMap;
use std::path::Path;

use mellanrum::graph::MapView;
use mellanrum::workspace::{Edit, ItemSummary, LinkView, NewItem, RenameReport, RevisionView, SaveReport, Unresolved};
use mellanrum::{ItemView, Kind, Person, Rel, Workspace};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::state::AppState;

type Res<T> = Result<T, String>;

/// Every command name; `build.rs` generates one `allow-…` permission per name and the main
/// window's capability grants exactly these (a test keeps the two lists equal).
#[cfg(test)]
pub const COMMANDS: &[&str] = &[
    "session",
    "create_workspace",
    "choose_workspace",
    "info",
    "last_change",
    "list_items",
    "show_item",
    "create_item",
    "update_item",
    "rename_item",
    "link_items",
    "unlink_items",
    "delete_item",
    "restore_item",
    "backlinks",
    "unresolved",
    "history",
    "unused_signals",
    "graph",
    "search",
    "resolve_ref",
    "people",
    "add_person",
    "use_person",
    "set_perspective",
];

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        session,
        create_workspace,
        choose_workspace,
        info,
        last_change,
        list_items,
        show_item,
        create_item,
        update_item,
        rename_item,
        link_items,
        unlink_items,
        delete_item,
        restore_item,
        backlinks,
        unresolved,
        history,
        unused_signals,
        graph,
        search,
        resolve_ref,
        people,
        add_person,
        use_person,
        set_perspective,
    ]
}

fn with<T>(state: &AppState, f: impl FnOnce(&mut Workspace) -> mellanrum::Result<T>) -> Res<T> {
    let mut guard = state.lock();
    let ws = guard.as_mut().ok_or_else(|| "no workspace is open".to_string())?;
    f(ws).map_err(|e| e.to_string())
}

/// What the window shows about the open workspace.
#[derive(Serialize)]
pub struct Info {
    pub name: String,
    pub root: String,
    pub me: Option<Person>,
    pub people: Vec<Person>,
    pub counts: BTreeMap<Kind, i64>,
    pub last_change: i64,
}

fn info_of(ws: &mut Workspace) -> mellanrum::Result<Info> {
    Ok(Info {
        name: ws.name()?,
        root: ws.root().display().to_string(),
        me: ws.current_person().ok(),
        people: ws.people()?,
        counts: ws.counts()?,
        last_change: ws.last_change()?,
    })
}

/// The app's state at start: the open workspace, or the folder a first start would create.
#[derive(Serialize)]
pub struct Session {
    pub open: Option<Info>,
    pub target: String,
}

fn session_of(state: &AppState) -> Res<Session> {
    let mut guard = state.lock();
    let open = match guard.as_mut() {
        Some(ws) => Some(info_of(ws).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok(Session { open, target: state.target().display().to_string() })
}

#[tauri::command(rename_all = "snake_case")]
async fn session(state: State<'_, AppState>) -> Res<Session> {
    session_of(&state)
}

/// Creates the workspace in the target folder: the demo one, or an empty one with its first person.
#[tauri::command(rename_all = "snake_case")]
async fn create_workspace(
    state: State<'_, AppState>,
    demo: bool,
    name: Option<String>,
    person: Option<String>,
    perspective: Option<String>,
) -> Res<Session> {
    let target = state.target();
    let ws = create_at(&target, demo, name.as_deref(), person.as_deref(), perspective.as_deref()).map_err(|e| e.to_string())?;
    *state.lock() = Some(ws);
    session_of(&state)
}

fn create_at(dir: &Path, demo: bool, name: Option<&str>, person: Option<&str>, perspective: Option<&str>) -> mellanrum::Result<Workspace> {
    if demo {
        return mellanrum::demo::create(dir);
    }
    let mut ws = Workspace::init(dir, name.filter(|n| !n.trim().is_empty()))?;
    if let Some(p) = person.filter(|p| !p.trim().is_empty()) {
        ws.add_person(p, perspective.unwrap_or_default())?;
    }
    Ok(ws)
}

/// Lets the user pick a folder in the system dialog (the page never names a path): a workspace
/// is opened; any other folder becomes the target a new workspace is created in.
#[tauri::command(rename_all = "snake_case")]
async fn choose_workspace(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<Session> {
    use tauri_plugin_dialog::DialogExt;
    let Some(picked) = app.dialog().file().blocking_pick_folder() else {
        return session_of(&state);
    };
    let dir = picked.into_path().map_err(|e| e.to_string())?;
    match Workspace::open(&dir) {
        Ok(ws) => *state.lock() = Some(ws),
        Err(_) => *state.lock() = None,
    }
    state.set_target(dir);
    session_of(&state)
}

#[tauri::command(rename_all = "snake_case")]
async fn info(state: State<'_, AppState>) -> Res<Info> {
    with(&state, info_of)
}

#[tauri::command(rename_all = "snake_case")]
async fn last_change(state: State<'_, AppState>) -> Res<i64> {
    with(&state, |ws| ws.last_change())
}

#[tauri::command(rename_all = "snake_case")]
async fn list_items(state: State<'_, AppState>, kind: Option<Kind>, tag: Option<String>, deleted: Option<bool>) -> Res<Vec<ItemSummary>> {
    with(&state, |ws| ws.list(kind, tag.as_deref(), deleted.unwrap_or(false)))
}

#[tauri::command(rename_all = "snake_case")]
async fn show_item(state: State<'_, AppState>, id: String) -> Res<ItemView> {
    with(&state, |ws| ws.show(&id))
}

/// A new item as the window sends it.
#[derive(Deserialize)]
pub struct NewItemInput {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub set: Vec<(String, String)>,
    #[serde(default)]
    pub positions: Vec<(String, String)>,
    /// Typed links to existing items, written into the body in the same transaction.
    #[serde(default)]
    pub links: Vec<(Rel, String)>,
}

#[tauri::command(rename_all = "snake_case")]
async fn create_item(state: State<'_, AppState>, item: NewItemInput) -> Res<SaveReport> {
    let new = NewItem {
        kind: Some(item.kind),
        title: item.title,
        body: item.body,
        tags: item.tags,
        set: item.set,
        positions: item.positions,
        ..Default::default()
    };
    with(&state, |ws| ws.create_linked(new, &item.links))
}

/// A change as the window sends it; absent parts stay as they are.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditInput {
    pub title: Option<String>,
    pub body: Option<String>,
    pub set: Vec<(String, String)>,
    pub positions: Vec<(String, String)>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
}

#[tauri::command(rename_all = "snake_case")]
async fn update_item(state: State<'_, AppState>, id: String, edit: EditInput) -> Res<SaveReport> {
    let edit = Edit {
        title: edit.title,
        body: edit.body,
        set: edit.set,
        positions: edit.positions,
        add_tags: edit.add_tags,
        remove_tags: edit.remove_tags,
        ..Default::default()
    };
    with(&state, |ws| ws.update(&id, edit))
}

#[tauri::command(rename_all = "snake_case")]
async fn rename_item(state: State<'_, AppState>, id: String, title: String) -> Res<RenameReport> {
    with(&state, |ws| ws.rename(&id, &title))
}

#[tauri::command(rename_all = "snake_case")]
async fn link_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.link(&from, &to, rel))
}

#[tauri::command(rename_all = "snake_case")]
async fn unlink_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.unlink(&from, &to, rel))
}

#[tauri::command(rename_all = "snake_case")]
async fn delete_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.delete(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn restore_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.restore(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn backlinks(state: State<'_, AppState>, id: String) -> Res<Vec<LinkView>> {
    with(&state, |ws| ws.backlinks(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn unresolved(state: State<'_, AppState>) -> Res<Vec<Unresolved>> {
    with(&state, |ws| ws.unresolved())
}

#[tauri::command(rename_all = "snake_case")]
async fn history(state: State<'_, AppState>, id: String) -> Res<Vec<RevisionView>> {
    with(&state, |ws| ws.history(&id))
}

#[tauri::command(rename_all = "snake_case")]
async fn unused_signals(state: State<'_, AppState>) -> Res<Vec<String>> {
    with(&state, |ws| ws.unused_signals())
}

#[tauri::command(rename_all = "snake_case")]
async fn graph(state: State<'_, AppState>) -> Res<MapView> {
    with(&state, |ws| ws.graph().map(|g| g.to_map()))
}

/// Searches the workspace (the core's query syntax: words, "phrases", -exclusions, OR, filters).
#[tauri::command(rename_all = "snake_case")]
async fn search(state: State<'_, AppState>, query: String, limit: Option<usize>) -> Res<mellanrum::search::SearchResults> {
    with(&state, |ws| ws.search(&query, limit.unwrap_or(30).min(200)))
}

/// Resolves a reference as `[[links]]` do (title or alias, case-insensitive; or an id).
#[tauri::command(rename_all = "snake_case")]
async fn resolve_ref(state: State<'_, AppState>, reference: String) -> Res<String> {
    with(&state, |ws| ws.resolve_ref(&reference))
}

#[tauri::command(rename_all = "snake_case")]
async fn people(state: State<'_, AppState>) -> Res<Vec<Person>> {
    with(&state, |ws| ws.people())
}

#[tauri::command(rename_all = "snake_case")]
async fn add_person(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.add_person(&name, &perspective))
}

#[tauri::command(rename_all = "snake_case")]
async fn use_person(state: State<'_, AppState>, name: String) -> Res<Person> {
    with(&state, |ws| ws.use_person(&name))
}

#[tauri::command(rename_all = "snake_case")]
async fn set_perspective(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.set_perspective(&name, &perspective))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_permission_and_the_capability_grants_only_those() {
        let build = include_str!("../build.rs");
        for c in COMMANDS {
            assert!(build.contains(&format!("\"{c}\"")), "build.rs does not list the command {c}");
        }
        let listed = build.matches("\",").count() + build.matches("\"]").count();
        assert!(listed >= COMMANDS.len());
        let cap: serde_json::Value = serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let perms: Vec<&str> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(perms, vec!["allow-app-commands"], "the window gets the app's own commands and nothing else");
        let set = include_str!("../permissions/app.toml");
        for c in COMMANDS {
            assert!(set.contains(&format!("\"allow-{}\"", c.replace('_', "-"))), "permissions/app.toml misses {c}");
        }
    }

    #[test]
    fn an_empty_workspace_gets_its_first_person() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = create_at(&dir.path().join("w"), false, Some("Team"), Some("Anna"), Some("Sales")).unwrap();
        assert_eq!(ws.name().unwrap(), "Team");
        assert_eq!(ws.current_person().unwrap().name, "Anna");
        let mut demo = create_at(&dir.path().join("d"), true, None, None, None).unwrap();
        assert!(info_of(&mut demo).unwrap().counts.len() >= 6);
    }
}

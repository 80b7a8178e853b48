//! The open workspace and its people: the session at start, creating or choosing a workspace,
//! what the window shows about it, and the people working in it.

use std::collections::BTreeMap;
use std::path::Path;

use mellanrum::{Kind, Person, Workspace};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::{with, Res};
use crate::state::AppState;

/// What the window shows about the open workspace.
#[derive(Serialize, TS)]
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
#[derive(Serialize, TS)]
pub struct Session {
    pub open: Option<Info>,
    pub target: String,
}

fn session_of(state: &AppState) -> Res<Session> {
    // Waits for the workspace off the async runtime, as `with` does.
    let open = tokio::task::block_in_place(|| state.lock().as_mut().map(info_of).transpose())?;
    Ok(Session { open, target: state.target().display().to_string() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session(state: State<'_, AppState>) -> Res<Session> {
    session_of(&state)
}

/// Creates the workspace in the target folder: the demo one, or an empty one with its first person.
#[tauri::command(rename_all = "snake_case")]
pub async fn create_workspace(
    state: State<'_, AppState>,
    demo: bool,
    name: Option<String>,
    person: Option<String>,
    perspective: Option<String>,
) -> Res<Session> {
    let target = state.target();
    let ws = create_at(&target, demo, name.as_deref(), person.as_deref(), perspective.as_deref())?;
    state.replace(Some(ws));
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
pub async fn choose_workspace(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<Session> {
    use tauri_plugin_dialog::DialogExt;
    let Some(picked) = app.dialog().file().blocking_pick_folder() else {
        return session_of(&state);
    };
    let dir = picked.into_path().map_err(|e| e.to_string())?;
    state.replace(Workspace::open(&dir).ok());
    state.set_target(dir);
    session_of(&state)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn info(state: State<'_, AppState>) -> Res<Info> {
    with(&state, info_of)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn last_change(state: State<'_, AppState>) -> Res<i64> {
    with(&state, |ws| ws.last_change())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn people(state: State<'_, AppState>) -> Res<Vec<Person>> {
    with(&state, |ws| ws.people())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_person(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.add_person(&name, &perspective))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn use_person(state: State<'_, AppState>, name: String) -> Res<Person> {
    with(&state, |ws| ws.use_person(&name))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_perspective(state: State<'_, AppState>, name: String, perspective: String) -> Res<Person> {
    with(&state, |ws| ws.set_perspective(&name, &perspective))
}

#[cfg(test)]
mod tests {
    use super::*;

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

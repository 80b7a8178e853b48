//! Links between items: linking and unlinking, what links to an item, links that reach
//! nothing, resolving a reference as `[[links]]` do, and the map of every link.

use mellanrum::graph::MapView;
use mellanrum::workspace::{LinkView, SaveReport, Unresolved};
use mellanrum::Rel;
use tauri::State;

use super::{with, Res};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn link_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.link(&from, &to, rel))
}

/// Links `from` to each of `to` in one save (an insight taking a selection of signals as evidence).
#[tauri::command(rename_all = "snake_case")]
pub async fn link_many(state: State<'_, AppState>, from: String, to: Vec<String>, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.link_many(&from, &to, rel))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlink_items(state: State<'_, AppState>, from: String, to: String, rel: Rel) -> Res<SaveReport> {
    with(&state, |ws| ws.unlink(&from, &to, rel))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backlinks(state: State<'_, AppState>, id: String) -> Res<Vec<LinkView>> {
    with(&state, |ws| ws.backlinks(&id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unresolved(state: State<'_, AppState>) -> Res<Vec<Unresolved>> {
    with(&state, |ws| ws.unresolved())
}

/// Resolves a reference as `[[links]]` do (title or alias, case-insensitive; or an id).
#[tauri::command(rename_all = "snake_case")]
pub async fn resolve_ref(state: State<'_, AppState>, reference: String) -> Res<String> {
    with(&state, |ws| ws.resolve_ref(&reference))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn graph(state: State<'_, AppState>) -> Res<MapView> {
    with(&state, |ws| ws.graph().map(|g| g.to_map()))
}

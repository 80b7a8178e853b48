//! Items: listing, showing, creating, changing, renaming, deleting and restoring them, and
//! their history.

use mellanrum::workspace::{Edit, ItemSummary, NewItem, RenameReport, RevisionView, SaveReport};
use mellanrum::{ItemView, Kind, Rel};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::{with, Res};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_items(
    state: State<'_, AppState>,
    kind: Option<Kind>,
    tag: Option<String>,
    deleted: Option<bool>,
) -> Res<Vec<ItemSummary>> {
    with(&state, |ws| ws.list(kind, tag.as_deref(), deleted.unwrap_or(false)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn show_item(state: State<'_, AppState>, id: String) -> Res<ItemView> {
    with(&state, |ws| ws.show(&id))
}

/// A new item as the window sends it.
#[derive(Deserialize, TS)]
pub struct NewItemInput {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    #[ts(as = "Option<String>", optional)]
    pub body: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub set: Vec<(String, String)>,
    #[serde(default)]
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub positions: Vec<(String, String)>,
    /// Typed links to existing items, written into the body in the same transaction.
    #[serde(default)]
    #[ts(as = "Option<Vec<(Rel, String)>>", optional)]
    pub links: Vec<(Rel, String)>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_item(state: State<'_, AppState>, item: NewItemInput) -> Res<SaveReport> {
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
#[derive(Deserialize, Default, TS)]
#[serde(default)]
pub struct EditInput {
    #[ts(optional)]
    pub title: Option<String>,
    #[ts(optional)]
    pub body: Option<String>,
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub set: Vec<(String, String)>,
    #[ts(as = "Option<Vec<(String, String)>>", optional)]
    pub positions: Vec<(String, String)>,
    #[ts(as = "Option<Vec<String>>", optional)]
    pub add_tags: Vec<String>,
    #[ts(as = "Option<Vec<String>>", optional)]
    pub remove_tags: Vec<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_item(state: State<'_, AppState>, id: String, edit: EditInput) -> Res<SaveReport> {
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

/// Applies one edit (tags added or removed) to each of `ids` in one transaction; how many changed.
#[tauri::command(rename_all = "snake_case")]
pub async fn update_many(state: State<'_, AppState>, ids: Vec<String>, add_tags: Vec<String>, remove_tags: Vec<String>) -> Res<usize> {
    with(&state, |ws| ws.update_many(&ids, Edit { add_tags, remove_tags, ..Default::default() }))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_item(state: State<'_, AppState>, id: String, title: String) -> Res<RenameReport> {
    with(&state, |ws| ws.rename(&id, &title))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.delete(&id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn restore_item(state: State<'_, AppState>, id: String) -> Res<SaveReport> {
    with(&state, |ws| ws.restore(&id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history(state: State<'_, AppState>, id: String) -> Res<Vec<RevisionView>> {
    with(&state, |ws| ws.history(&id))
}

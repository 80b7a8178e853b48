//! Exporting the map, or the part of it a search and an item name, into the workspace's
//! `exports/` folder or where the user chooses.

use mellanrum::Workspace;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::Res;
use crate::state::AppState;

/// Where an export goes.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, TS)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// `exports/` in the workspace folder, under a name with the time.
    Workspace,
    /// A file (a folder for `vault`) the user chooses in the system dialog.
    Dialog,
}

/// Which part of the map an export draws (all empty: the whole map).
#[derive(Deserialize, TS, Default)]
pub struct MapPart {
    /// The items a search matches…
    query: Option<String>,
    /// …and the item with this id…
    around: Option<String>,
    /// …with the items this many links away.
    #[serde(default)]
    hops: usize,
}

/// Exports the map in `format` (graphml, cytoscape, dot, mermaid, vault, html): the whole map, or
/// the part `part` names.
/// Returns `None` when the user cancelled the dialog.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_map(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    format: String,
    destination: Destination,
    redact_people: Option<bool>,
    part: Option<MapPart>,
) -> Res<Option<mellanrum::export::ExportReport>> {
    use tauri_plugin_dialog::DialogExt;
    let fmt: mellanrum::export::Format = format.parse()?;
    let root = state.root().ok_or_else(|| "no workspace is open".to_string())?;
    let name = mellanrum::export::file_name(fmt, chrono::Local::now());
    let out = match destination {
        Destination::Workspace => {
            let dir = root.join("exports");
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dir.join(name)
        }
        Destination::Dialog => {
            let dialog = app.dialog().file().set_file_name(&name);
            let chosen = if fmt == mellanrum::export::Format::Vault { dialog.blocking_pick_folder() } else { dialog.blocking_save_file() };
            let Some(chosen) = chosen else { return Ok(None) };
            chosen.into_path().map_err(|e| e.to_string())?
        }
    };
    let part = part.unwrap_or_default();
    let report = tauri::async_runtime::spawn_blocking(move || -> mellanrum::Result<mellanrum::export::ExportReport> {
        let mut ws = Workspace::open(&root)?;
        let only = mellanrum::export::selection(&mut ws, part.query.as_deref(), part.around.as_deref(), part.hops)?;
        let opts = mellanrum::export::Options { format: fmt, out, only, redact_people: redact_people.unwrap_or(false), attachments: false };
        mellanrum::export::export(&mut ws, &opts)
    })
    .await
    .map_err(|e| e.to_string())??;
    Ok(Some(report))
}

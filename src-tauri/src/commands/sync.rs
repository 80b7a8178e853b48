//! Working together: the background sync's state, asking it to run, what others changed, and
//! concurrent changes merged by rule.

use tauri::State;

use super::{with, Res};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_state(state: State<'_, AppState>) -> Res<crate::sync::SyncStatus> {
    Ok(state.syncer.status())
}

/// Asks the background sync to run now.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: State<'_, AppState>) -> Res<crate::sync::SyncStatus> {
    state.syncer.ring();
    Ok(state.syncer.status())
}

/// What others changed since the current person last looked; `mark_seen` makes this look the last.
#[tauri::command(rename_all = "snake_case")]
pub async fn activity(state: State<'_, AppState>, mark_seen: bool) -> Res<mellanrum::workspace::Activity> {
    with(&state, |ws| ws.activity(50, mark_seen))
}

/// Concurrent changes merged by rule ("Anna and Erik both changed the status of X").
#[tauri::command(rename_all = "snake_case")]
pub async fn conflicts(state: State<'_, AppState>) -> Res<Vec<mellanrum::sync::Conflict>> {
    with(&state, |ws| ws.conflicts())
}

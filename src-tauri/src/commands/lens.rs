//! What is derived from the links: the trace of an item, the integration lens and its
//! between-chairs days, and the signals no insight uses.

use tauri::State;

use super::{with, Res};
use crate::state::AppState;

/// The trace of an item: upstream to its evidence, downstream to the goals it serves.
#[tauri::command(rename_all = "snake_case")]
pub async fn trace_item(state: State<'_, AppState>, id: String, depth: Option<usize>) -> Res<mellanrum::trace::Trace> {
    with(&state, |ws| ws.trace(&id, depth.unwrap_or(6), mellanrum::workspace::today()))
}

/// The integration lens, computed from the store now, with the workspace's between-chairs days.
#[tauri::command(rename_all = "snake_case")]
pub async fn lens(state: State<'_, AppState>) -> Res<mellanrum::lens::Lens> {
    // On the lens's own connection: see `AppState::with_lens`.
    tokio::task::block_in_place(|| {
        state.with_lens(|ws| {
            let opt = mellanrum::lens::LensOptions { thresholds: ws.chairs_thresholds()?, ..crate::state::lens_options() };
            ws.lens(&opt)
        })
    })
    .map_err(crate::failure::Failure::from)?
    .ok_or_else(|| "no workspace is open".into())
}

/// Keeps the days after which something falls between chairs as the workspace's setting
/// (`null`: back to the defaults), as `lens --keep-days` does.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_chairs_days(state: State<'_, AppState>, days: Option<mellanrum::chairs::Thresholds>) -> Res<()> {
    with(&state, |ws| ws.set_chairs_thresholds(days))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unused_signals(state: State<'_, AppState>) -> Res<Vec<String>> {
    with(&state, |ws| ws.unused_signals())
}

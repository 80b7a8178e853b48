//! Consent rounds on resolutions: opening, answering, showing and closing one, and the rounds
//! waiting for the current person.

use tauri::State;

use super::{with, Res};
use crate::state::AppState;

/// Opens a consent round on a resolution (every perspective with a position in the frictions it
/// resolves, plus the persons named).
#[tauri::command(rename_all = "snake_case")]
pub async fn round_open(state: State<'_, AppState>, id: String, people: Option<Vec<String>>) -> Res<mellanrum::round::RoundView> {
    with(&state, |ws| ws.round_open(&id, &people.unwrap_or_default()).map(|r| r.0))
}

/// The current person's answer in a round: consent, concern or objection (an objection may become
/// a child friction).
#[tauri::command(rename_all = "snake_case")]
pub async fn round_answer(
    state: State<'_, AppState>,
    id: String,
    answer: String,
    reason: Option<String>,
    new_friction: Option<String>,
) -> Res<mellanrum::round::Answered> {
    with(&state, |ws| ws.round_answer(&id, &answer, reason.as_deref(), new_friction.as_deref()))
}

/// The round on a resolution; `null` when it has none.
#[tauri::command(rename_all = "snake_case")]
pub async fn round_show(state: State<'_, AppState>, id: String) -> Res<Option<mellanrum::round::RoundView>> {
    with(&state, |ws| ws.round_find(&id))
}

/// Closes a round (an override needs its reason).
#[tauri::command(rename_all = "snake_case")]
pub async fn round_close(state: State<'_, AppState>, id: String, override_reason: Option<String>) -> Res<mellanrum::round::RoundView> {
    with(&state, |ws| ws.round_close(&id, override_reason.as_deref()).map(|r| r.0))
}

/// The open rounds waiting for the current person's answer.
#[tauri::command(rename_all = "snake_case")]
pub async fn round_waiting(state: State<'_, AppState>) -> Res<Vec<mellanrum::round::RoundView>> {
    with(&state, |ws| ws.round_waiting())
}

//! Finding items: the search, a list's filter, and the items most like one.

use tauri::State;

use super::{with, Res};
use crate::state::AppState;

/// Searches the workspace (the core's query syntax: words, "phrases", -exclusions, OR, filters).
#[tauri::command(rename_all = "snake_case")]
pub async fn search(
    state: State<'_, AppState>,
    query: String,
    limit: Option<usize>,
    lang: Option<mellanrum::search::Lang>,
) -> Res<mellanrum::search::SearchResults> {
    with(&state, |ws| ws.search_in(&query, limit.unwrap_or(30).min(200), lang.unwrap_or_default()))
}

/// The ids of every item matching `query` (the search's language), best first: a list's filter.
#[tauri::command(rename_all = "snake_case")]
pub async fn filter_items(state: State<'_, AppState>, query: String, lang: Option<mellanrum::search::Lang>) -> Res<Vec<String>> {
    with(&state, |ws| ws.search_ids(&query, lang.unwrap_or_default()))
}

/// The items most like one, precedents (resolved frictions with their resolutions) first, each
/// with the words it shares with it.
#[tauri::command(rename_all = "snake_case")]
pub async fn similar(state: State<'_, AppState>, id: String, limit: Option<usize>) -> Res<mellanrum::similar::SimilarResults> {
    with(&state, |ws| ws.similar(&id, limit.unwrap_or(8).clamp(1, 50)))
}

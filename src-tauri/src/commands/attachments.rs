//! Files that come with the knowledge: the file a link reaches, opening a copy of one, and a
//! file dropped or pasted into the editor.

use tauri::State;

use super::{with, Res};
use crate::state::AppState;

/// The file a link in a note reaches (a picture with its bytes as a `data:` URL), or none.
#[tauri::command(rename_all = "snake_case")]
pub async fn attachment(state: State<'_, AppState>, target: String) -> Res<Option<mellanrum::attach::FilePreview>> {
    with(&state, |ws| ws.attachment_preview(&target))
}

/// Opens a copy of a file in the system's default application.
#[tauri::command(rename_all = "snake_case")]
pub async fn open_attachment(state: State<'_, AppState>, target: String) -> Res<()> {
    let path = with(&state, |ws| ws.attachment_copy(&target))?;
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new(opener)
    };
    let mut child = cmd.arg(&path).spawn().map_err(|e| format!("{}: cannot open it ({e})", path.display()))?;
    // The opener returns at once (the application runs on); reap it off this thread.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Adds a file dropped or pasted into the editor: its bytes are the request's body, the item and
/// the file's name (percent-encoded) its `x-item` and `x-name` headers. Linked from the item's body.
#[tauri::command(rename_all = "snake_case")]
pub async fn attach_bytes(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Res<mellanrum::attach::AttachReport> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err("the file's bytes did not arrive".into());
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let id = header("x-item").ok_or("which item the file is for did not arrive")?;
    let name = header("x-name").ok_or("the file's name did not arrive")?;
    let name =
        percent_encoding::percent_decode_str(&name).decode_utf8().map_err(|_| "the file's name is not UTF-8".to_string())?.into_owned();
    with(&state, |ws| ws.attach_bytes(&id, &name, bytes))
}

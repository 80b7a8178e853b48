//! Mellanrum's desktop shell: a Tauri window around the core library. Every command in
//! [`commands`] is a thin call into [`mellanrum::Workspace`]; the rules live in the core.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            use tauri::Manager;
            let data = app.path().data_dir()?;
            app.manage(state::AppState::new(state::startup_target(&data)));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("error while running Mellanrum");
}

//! Mellanrum's desktop shell: a Tauri window around the core library. Every command in
//! [`commands`] is a thin call into [`mellanrum::Workspace`]; the rules live in the core.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod command_names;
mod commands;
mod failure;
mod state;
mod sync;

/// mimalloc: an import or a lens spent a fifth of its time in the system allocator's
/// bookkeeping (docs/BENCHMARKS.md, "Import with ref, sixth round").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            use tauri::Manager;
            let data = app.path().data_dir()?;
            // The workspace opens on a thread of its own while the window starts; commands wait for it.
            app.manage(state::AppState::opening(state::startup_target(&data)));
            let handle = app.handle().clone();
            std::thread::Builder::new().name("open".into()).spawn(move || handle.state::<state::AppState>().finish_opening())?;
            // Background sync, on its own connection to the workspace.
            let handle = app.handle().clone();
            std::thread::Builder::new().name("sync".into()).spawn(move || {
                let state = handle.state::<state::AppState>();
                state.syncer.run(|| state.root())
            })?;
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("error while running Mellanrum");
}

//! Generates one `allow-<command>` permission per app command. The commands are the functions
//! marked `#[tauri::command]` in the files of `src/commands/` (read by `src/command_names.rs`); the
//! window's capability (`capabilities/main.json`) grants the set `allow-app-commands` and nothing else.

#[path = "src/command_names.rs"]
mod command_names;

fn main() {
    println!("cargo:rerun-if-changed=src/commands");
    let names: Vec<&'static str> = command_names::in_dir(std::path::Path::new("src/commands")).into_iter().map(|n| &*n.leak()).collect();
    let commands: &'static [&'static str] = names.leak();
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)))
        .expect("tauri build script");
}

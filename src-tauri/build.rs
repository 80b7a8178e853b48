//! Generates one `allow-<command>` permission per app command (see `src/commands.rs`); the
//! window's capability (`capabilities/main.json`) grants the set `allow-app-commands` and nothing else.
const COMMANDS: &[&str] = &[
    "session",
    "create_workspace",
    "choose_workspace",
    "info",
    "last_change",
    "list_items",
    "show_item",
    "create_item",
    "update_item",
    "rename_item",
    "link_items",
    "unlink_items",
    "delete_item",
    "restore_item",
    "backlinks",
    "unresolved",
    "history",
    "unused_signals",
    "graph",
    "search",
    "filter_items",
    "link_many",
    "update_many",
    "preview_import",
    "similar",
    "resolve_ref",
    "people",
    "add_person",
    "use_person",
    "set_perspective",
    "trace_item",
    "lens",
    "conflicts",
    "activity",
    "sync_state",
    "sync_now",
    "pick_import",
    "choose_records",
    "run_import",
    "export_map",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build script");
}

// The shapes the shell's commands take and return, the trace's and the lens's included: generated
// from the Rust types (./bindings.ts, see src-tauri/src/bindings.rs).
export * from "./bindings";

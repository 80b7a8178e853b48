// The shapes the shell's commands take and return: generated from the Rust types (./bindings.ts,
// see src-tauri/src/bindings.rs) but for the trace and the lens (./derived.ts).
export * from "./bindings";
export * from "./derived";

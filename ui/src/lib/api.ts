// Typed calls to the shell's commands (src-tauri/src/commands/). Each command's arguments and result
// come from `Commands`, generated from the Rust signatures (./bindings.ts). The page never names a file path.
import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { Commands, Destination, EditInput, ExportFormat, ImportKind, Kind, Lang, MapPart, NewItemInput, Progress, Rel, Thresholds } from "./bindings";

type Args<C extends keyof Commands> = Commands[C]["args"];
type Result<C extends keyof Commands> = Commands[C]["result"];

/** Calls a command with the arguments its Rust signature takes; what it returns, typed. */
function call<C extends keyof Commands>(cmd: C, ...args: Record<string, never> extends Args<C> ? [Args<C>?] : [Args<C>]): Promise<Result<C>> {
  return invoke<Result<C>>(cmd, args[0] as InvokeArgs | undefined);
}

export const api = {
  session: () => call("session"),
  createWorkspace: (demo: boolean, name?: string, person?: string, perspective?: string) =>
    call("create_workspace", { demo, name, person, perspective }),
  chooseWorkspace: () => call("choose_workspace"),
  info: () => call("info"),
  lastChange: () => call("last_change"),
  list: (kind?: Kind, tag?: string) => call("list_items", { kind, tag }),
  show: (id: string) => call("show_item", { id }),
  create: (item: NewItemInput) => call("create_item", { item }),
  update: (id: string, edit: EditInput) => call("update_item", { id, edit }),
  rename: (id: string, title: string) => call("rename_item", { id, title }),
  link: (from: string, to: string, rel: Rel) => call("link_items", { from, to, rel }),
  unlink: (from: string, to: string, rel: Rel) => call("unlink_items", { from, to, rel }),
  remove: (id: string) => call("delete_item", { id }),
  restore: (id: string) => call("restore_item", { id }),
  backlinks: (id: string) => call("backlinks", { id }),
  unresolved: () => call("unresolved"),
  history: (id: string) => call("history", { id }),
  unusedSignals: () => call("unused_signals"),
  /** Every item matching `query` (the search's language), best first: a list's filter. */
  filterItems: (query: string, lang: Lang = "en") => call("filter_items", { query, lang }),
  /** Adds (and removes) tags on each of `ids` in one transaction; how many changed. */
  updateMany: (ids: string[], addTags: string[], removeTags: string[]) => call("update_many", { ids, add_tags: addTags, remove_tags: removeTags }),
  /** Links `from` to each of `to` in one save. */
  linkMany: (from: string, to: string[], rel: Rel) => call("link_many", { from, to, rel }),
  /** The first ten rows of the chosen signals file as `map` would import them. */
  previewImport: (map: [string, string][]) => call("preview_import", { map }),
  /** `lang`: the language of a bad query's error (Swedish filter names and values work in both). */
  search: (query: string, limit = 30, lang: Lang = "en") => call("search", { query, limit, lang }),
  similar: (id: string, limit = 8) => call("similar", { id, limit }),
  roundOpen: (id: string, people: string[] = []) => call("round_open", { id, people }),
  roundAnswer: (id: string, answer: string, reason: string | null, newFriction: string | null) =>
    call("round_answer", { id, answer, reason, new_friction: newFriction }),
  /** `null` when the resolution has no round. */
  roundShow: (id: string) => call("round_show", { id }),
  roundClose: (id: string, overrideReason: string | null) => call("round_close", { id, override_reason: overrideReason }),
  roundWaiting: () => call("round_waiting"),
  resolveRef: (reference: string) => call("resolve_ref", { reference }),
  people: () => call("people"),
  addPerson: (name: string, perspective: string) => call("add_person", { name, perspective }),
  usePerson: (name: string) => call("use_person", { name }),
  setPerspective: (name: string, perspective: string) => call("set_perspective", { name, perspective }),
  trace: (id: string, depth?: number) => call("trace_item", { id, depth }),
  /** Between chairs with these days (the view's choice, not saved), else the core's defaults. */
  lens: () => call("lens"),
  setChairsDays: (days: Thresholds | null) => call("set_chairs_days", { days }),
  conflicts: () => call("conflicts"),
  activity: (markSeen: boolean) => call("activity", { mark_seen: markSeen }),
  syncState: () => call("sync_state"),
  syncNow: () => call("sync_now"),
  /** Opens the system dialog; the chosen path stays in the shell. */
  pickImport: (kind: ImportKind) => call("pick_import", { kind }),
  /** Reads the chosen JSON file's records from another place inside it (e.g. `hits.hits[]._source`). */
  chooseRecords: (records: string) => call("choose_records", { records }),
  runImport: (map: [string, string][], onProgress: (p: Progress) => void) => {
    const on_progress = new Channel<Progress>();
    on_progress.onmessage = onProgress;
    return call("run_import", { map, on_progress });
  },
  attachment: (target: string) => call("attachment", { target }),
  openAttachment: (target: string) => call("open_attachment", { target }),
  /** A file dropped or pasted into the editor: its bytes go as they are, not as JSON. */
  attachBytes: (id: string, name: string, bytes: Args<"attach_bytes">) =>
    invoke<Result<"attach_bytes">>("attach_bytes", bytes, { headers: { "x-item": id, "x-name": encodeURIComponent(name) } }),
  /** Into the workspace's exports/ folder, or where the user chooses in the system dialog. */
  /** The whole map, or the part around a search (`query`) and/or an item (`around`, an id),
   *  with the items `hops` links away. */
  exportMap: (format: ExportFormat, destination: Destination, redactPeople = false, part: MapPart | null = null) =>
    call("export_map", { format, destination, redact_people: redactPeople, part }),
};

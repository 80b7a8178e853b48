// Typed calls to the shell's commands (src-tauri/src/commands.rs). The page never names a file path.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  EditInput,
  Info,
  ItemSummary,
  ItemView,
  Kind,
  LinkView,
  NewItemInput,
  Person,
  Rel,
  RevisionView,
  SaveReport,
  SearchResults,
  SimilarResults,
  Session,
  Unresolved,
  Trace,
  LensData,
  Conflict,
  Activity,
  SyncStatus,
  ImportKind,
  PickedSource,
  ImportOutcome,
  ExportFormat,
  ExportReport,
  PreviewRow,
  FilePreview,
  AttachReport,
  RoundView,
  Answered,
} from "./types";

export const api = {
  session: () => invoke<Session>("session"),
  createWorkspace: (demo: boolean, name?: string, person?: string, perspective?: string) =>
    invoke<Session>("create_workspace", { demo, name, person, perspective }),
  chooseWorkspace: () => invoke<Session>("choose_workspace"),
  info: () => invoke<Info>("info"),
  lastChange: () => invoke<number>("last_change"),
  list: (kind?: Kind, tag?: string) => invoke<ItemSummary[]>("list_items", { kind, tag }),
  show: (id: string) => invoke<ItemView>("show_item", { id }),
  create: (item: NewItemInput) => invoke<SaveReport>("create_item", { item }),
  update: (id: string, edit: EditInput) => invoke<SaveReport>("update_item", { id, edit }),
  rename: (id: string, title: string) => invoke<unknown>("rename_item", { id, title }),
  link: (from: string, to: string, rel: Rel) => invoke<SaveReport>("link_items", { from, to, rel }),
  unlink: (from: string, to: string, rel: Rel) => invoke<SaveReport>("unlink_items", { from, to, rel }),
  remove: (id: string) => invoke<SaveReport>("delete_item", { id }),
  restore: (id: string) => invoke<SaveReport>("restore_item", { id }),
  backlinks: (id: string) => invoke<LinkView[]>("backlinks", { id }),
  unresolved: () => invoke<Unresolved[]>("unresolved"),
  history: (id: string) => invoke<RevisionView[]>("history", { id }),
  unusedSignals: () => invoke<string[]>("unused_signals"),
  /** Every item matching `query` (the search's language), best first: a list's filter. */
  filterItems: (query: string, lang: "en" | "sv" = "en") => invoke<string[]>("filter_items", { query, lang }),
  /** Adds (and removes) tags on each of `ids` in one transaction; how many changed. */
  updateMany: (ids: string[], addTags: string[], removeTags: string[]) => invoke<number>("update_many", { ids, add_tags: addTags, remove_tags: removeTags }),
  /** Links `from` to each of `to` in one save. */
  linkMany: (from: string, to: string[], rel: Rel) => invoke<SaveReport>("link_many", { from, to, rel }),
  /** The first ten rows of the chosen signals file as `map` would import them. */
  previewImport: (map: [string, string][]) => invoke<PreviewRow[]>("preview_import", { map }),
  /** `lang`: the language of a bad query's error (Swedish filter names and values work in both). */
  search: (query: string, limit = 30, lang: "en" | "sv" = "en") => invoke<SearchResults>("search", { query, limit, lang }),
  similar: (id: string, limit = 8) => invoke<SimilarResults>("similar", { id, limit }),
  roundOpen: (id: string, people: string[] = []) => invoke<RoundView>("round_open", { id, people }),
  roundAnswer: (id: string, answer: string, reason: string | null, newFriction: string | null) =>
    invoke<Answered>("round_answer", { id, answer, reason, new_friction: newFriction }),
  /** `null` when the resolution has no round. */
  roundShow: (id: string) => invoke<RoundView | null>("round_show", { id }),
  roundClose: (id: string, overrideReason: string | null) => invoke<RoundView>("round_close", { id, override_reason: overrideReason }),
  roundWaiting: () => invoke<RoundView[]>("round_waiting"),
  resolveRef: (reference: string) => invoke<string>("resolve_ref", { reference }),
  people: () => invoke<Person[]>("people"),
  addPerson: (name: string, perspective: string) => invoke<Person>("add_person", { name, perspective }),
  usePerson: (name: string) => invoke<Person>("use_person", { name }),
  setPerspective: (name: string, perspective: string) => invoke<Person>("set_perspective", { name, perspective }),
  trace: (id: string, depth?: number) => invoke<Trace>("trace_item", { id, depth }),
  lens: () => invoke<LensData>("lens"),
  conflicts: () => invoke<Conflict[]>("conflicts"),
  activity: (markSeen: boolean) => invoke<Activity>("activity", { mark_seen: markSeen }),
  syncState: () => invoke<SyncStatus>("sync_state"),
  syncNow: () => invoke<SyncStatus>("sync_now"),
  /** Opens the system dialog; the chosen path stays in the shell. */
  pickImport: (kind: ImportKind) => invoke<PickedSource | null>("pick_import", { kind }),
  /** Reads the chosen JSON file's records from another place inside it (e.g. `hits.hits[]._source`). */
  chooseRecords: (records: string) => invoke<PickedSource>("choose_records", { records }),
  runImport: (map: [string, string][], onProgress: (p: { done: number; total: number }) => void) => {
    const on_progress = new Channel<{ done: number; total: number }>();
    on_progress.onmessage = onProgress;
    return invoke<ImportOutcome>("run_import", { map, on_progress });
  },
  /** Into the workspace's exports/ folder, or where the user chooses in the system dialog. */
  attachment: (target: string) => invoke<FilePreview | null>("attachment", { target }),
  openAttachment: (target: string) => invoke<void>("open_attachment", { target }),
  /** A file dropped or pasted into the editor: its bytes go as they are, not as JSON. */
  attachBytes: (id: string, name: string, bytes: Uint8Array) =>
    invoke<AttachReport>("attach_bytes", bytes, { headers: { "x-item": id, "x-name": encodeURIComponent(name) } }),
  exportMap: (format: ExportFormat, destination: "workspace" | "dialog", redactPeople = false) =>
    invoke<ExportReport | null>("export_map", { format, destination, redact_people: redactPeople }),
};

/** The message of an error a command returned (the core's one-line message). */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  return JSON.stringify(e);
}

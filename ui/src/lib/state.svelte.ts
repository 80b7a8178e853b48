// The window's state: one reactive object the components read and change.
import { api } from "./api";
import { errorText, systemLocale, translate, type Key, type Locale } from "./i18n";
import { KINDS, type Info, type ItemSummary, type Kind, type Session, type SyncStatus } from "./types";

export type View = "lens" | Kind | "map" | "people" | "settings" | "trace" | "exchange" | "conflicts";
export const MAIN_VIEWS: View[] = ["lens", "note", "signal", "insight", "friction", "resolution", "goal", "meeting", "map", "people"];
export type Theme = "system" | "light" | "dark";

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

class AppState {
  locale = $state<Locale>(stored("mellanrum.locale", ["sv", "en"], systemLocale(navigator.languages ?? [])));
  theme = $state<Theme>(stored("mellanrum.theme", ["system", "light", "dark"], "system"));
  session = $state<Session | null>(null);
  info = $state<Info | null>(null);
  view = $state<View>("lens");
  // Replaced whole on every refresh, never changed in place: no deep proxies over 100k summaries.
  items = $state.raw<ItemSummary[]>([]);
  unused = $state.raw<Set<string>>(new Set());
  openId = $state<string | null>(null);
  /** The item the trace view starts from. */
  traceId = $state<string | null>(null);
  /** The item the export dialog draws the map around (set by "Export the map around this"). */
  exportAround = $state<{ id: string; title: string } | null>(null);
  sync = $state<SyncStatus | null>(null);
  paletteOpen = $state(false);
  message = $state<{ text: string; error: boolean } | null>(null);
  /** Bumped whenever data changed, so open views reload. */
  version = $state(0);
  lastChange = -1;

  t = (key: Key, vars?: Record<string, string | number>): string => translate(this.locale, key, vars);

  setLocale(l: Locale) {
    this.locale = l;
    localStorage.setItem("mellanrum.locale", l);
    document.documentElement.lang = l;
  }

  setTheme(t: Theme) {
    this.theme = t;
    localStorage.setItem("mellanrum.theme", t);
  }

  ofKind(kind: Kind): ItemSummary[] {
    return this.items.filter((i) => i.kind === kind);
  }

  /** False until every item's summary has arrived (the lists); the rail's counts come first. */
  listed = $state(false);
  /** Settles when the lists have arrived after start. */
  listing: Promise<void> = Promise.resolve();
  /** Settles once the first view (the lens) is drawn, or has failed: the lists are asked for
   * after it, so their 100k summaries do not hold up the view a large workspace opens on. */
  firstView: Promise<void>;
  firstViewDrawn: () => void = () => {};

  constructor() {
    this.firstView = new Promise((done) => (this.firstViewDrawn = done));
  }

  /** Starts the window: the rail and its counts are drawn from the session at once, and the
   * lists (every item's summary: 100k rows in a large workspace) follow without holding them. */
  async start() {
    document.documentElement.lang = this.locale;
    // Marks for the cold-start benchmark: when the page asked for the workspace and had it.
    const marks = document.documentElement.dataset;
    marks.sessionAsked = String(Math.round(performance.now()));
    const session = await api.session();
    marks.sessionAnswered = String(Math.round(performance.now()));
    this.session = session;
    if (session.open) {
      this.info = session.open;
      this.lastChange = session.open.last_change;
      this.listing = this.firstView.then(() => this.refresh());
    }
    // Other processes (the CLI, sync) write to the same workspace: notice their changes.
    setInterval(() => void this.poll(), 1500);
  }

  async load(session: Session) {
    this.session = session;
    if (session.open) {
      this.info = session.open;
      await this.refresh();
    } else {
      this.info = null;
      this.items = [];
    }
  }

  async refresh() {
    try {
      const [info, items, unused] = await Promise.all([api.info(), api.list(), api.unusedSignals()]);
      this.info = info;
      this.items = items;
      this.unused = new Set(unused);
      this.lastChange = info.last_change;
      this.listed = true;
      this.version++;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Makes a change the user asked for, then reads the workspace again; a failure is shown.
   * `busy` hears when the change starts and when it is over. */
  async change(f: () => Promise<unknown>, busy: (on: boolean) => void) {
    busy(true);
    try {
      await f();
      await this.refresh();
    } catch (e) {
      this.fail(e);
    } finally {
      busy(false);
    }
  }

  async poll() {
    if (!this.info) return;
    try {
      this.sync = await api.syncState();
      const seq = await api.lastChange();
      if (seq !== this.lastChange) await this.refresh();
    } catch {
      /* the next poll tries again */
    }
  }

  go(view: View) {
    this.view = view;
    this.openId = null;
  }

  /** Opens the export dialog on the map around `item`. */
  exportMapAround(item: { id: string; title: string }) {
    this.exportAround = { id: item.id, title: item.title };
    this.go("exchange");
  }

  /** Shows the trace of `id` (the open item when none is given). */
  trace(id?: string | null) {
    const target = id ?? this.openId ?? this.traceId;
    if (target) this.traceId = target;
    this.view = "trace";
    this.openId = null;
  }

  open(id: string, kind?: Kind) {
    const k = kind ?? this.items.find((i) => i.id === id)?.kind;
    if (k) this.view = k;
    this.openId = id;
  }

  async openByTitle(title: string) {
    try {
      this.open(await api.resolveRef(title));
    } catch (e) {
      this.fail(e);
    }
  }

  say(text: string) {
    this.message = { text, error: false };
    setTimeout(() => {
      if (this.message?.text === text) this.message = null;
    }, 2500);
  }

  /** What went wrong, in the window's language (a core error worded from the catalogue). */
  errorText = (e: unknown): string => errorText(this.locale, e);

  fail(e: unknown) {
    this.message = { text: this.errorText(e), error: true };
  }
}

export const app = new AppState();
export { KINDS };

// Every keyboard shortcut of the window, as Settings lists them. A key added to a view belongs here.
import type { Key } from "./i18n";

export const SHORTCUTS: [string, Key][] = [
  ["Ctrl+K", "keys.palette"],
  ["Enter", "keys.palette.open"],
  ["Ctrl+Enter", "keys.palette.create"],
  ["Tab", "keys.palette.kind"],
  ["Ctrl+N", "keys.new"],
  ["Alt+1…0", "keys.nav"],
  ["Alt+T", "keys.trace"],
  ["Alt+E", "keys.exchange"],
  ["↑ ↓  j k", "keys.list"],
  ["Home End", "keys.list.ends"],
  ["Space  x", "keys.list.select"],
  ["Shift+↑ ↓  Shift+click", "keys.list.range"],
  ["↓ (filter)", "keys.list.filter"],
  ["[[", "keys.link"],
  ["Ctrl+E", "keys.preview"],
  ["Ctrl+S", "keys.save"],
  ["← → ↑ ↓", "keys.map.pan"],
  ["+ − 0", "keys.map.zoom"],
  ["Esc", "keys.back"],
];

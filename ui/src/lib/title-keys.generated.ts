// Generated from the Rust types by `cargo test -p mellanrum-desktop bindings` (src-tauri/src/bindings.rs).
// Do not edit: change the Rust types and run that test.
/** Titles and the key `model::title_key` makes of each: the window's `titleKey` must agree. */
export const TITLE_KEYS: [string, string][] = [
  ["Release cadence", "release cadence"],
  ["  Kortare   LEDTID till kund ", "kortare ledtid till kund"],
  ["ÅÄÖ åäö Ärende", "åäö åäö ärende"],
  ["Straße STRASSE ẞ", "straße strasse ß"],
  ["İstanbul Iı", "i̇stanbul iı"],
  ["ΟΔΥΣΣΕΥΣ Σ", "οδυσσευς σ"],
  ["Ǆemal ǅ", "ǆemal ǆ"],
  ["ﬁnal ﬂow", "ﬁnal ﬂow"],
  ["Kelvin K Ω Ω", "kelvin k ω ω"],
  ["école ÉCOLE", "école école"],
  ["tab\there\nnewline\r\nend", "tab here newline end"],
  ["no break em　ideographic", "no break em ideographic"],
  ["nextline", "next line"],
  ["zero​width and﻿bom", "zero​width and﻿bom"],
  ["Emoji 🦀 Crab", "emoji 🦀 crab"],
  ["Ⅻ Roman", "ⅻ roman"],
  ["Ⓐ circled", "ⓐ circled"],
  ["", ""],
  ["   ", ""],
];

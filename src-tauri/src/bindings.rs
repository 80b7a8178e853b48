//! The contract with the window, generated from the Rust types: `ui/src/lib/bindings.ts` holds
//! the TypeScript declaration of every type a command takes or returns (derived with ts-rs; the
//! core's types behind its `ts` feature), each command's arguments and result (read from the
//! `#[tauri::command]` functions of `commands/`), and the schema the window builds its forms
//! and completions from (kinds, relations, each kind's fields, the values of a choice).
//! `ui/src/lib/title-keys.generated.ts` holds titles with the key `model::title_key` makes of
//! each, which the window's own `titleKey` (run on every keystroke) is tested against.
//!
//! The test below writes both files and fails when what was checked in differed: a stale binding
//! fails `cargo test`. Run it once more after a change and commit the result.

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use mellanrum::model::{self, Kind, Rel};
use ts_rs::{Config, TypeVisitor, TS};

/// Titles whose keys the window must compute as the core does: Swedish, other scripts, case
/// mappings that change length, and every kind of whitespace.
const TITLES: &[&str] = &[
    "Release cadence",
    "  Kortare   LEDTID till kund ",
    "ÅÄÖ åäö Ärende",
    "Straße STRASSE ẞ",
    "İstanbul Iı",
    "ΟΔΥΣΣΕΥΣ Σ",
    "Ǆemal ǅ",
    "ﬁnal ﬂow",
    "Kelvin \u{212A} Ω \u{2126}",
    "e\u{301}cole E\u{301}COLE",
    "tab\there\nnewline\r\nend",
    "no\u{a0}break\u{2003}em\u{3000}ideographic",
    "next\u{85}line",
    "zero\u{200b}width and\u{feff}bom",
    "Emoji 🦀 Crab",
    "Ⅻ Roman",
    "Ⓐ circled",
    "",
    "   ",
];

/// Collects the declaration of every type reachable from the roots, once each, by name.
struct Decls {
    cfg: Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Decls {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // A type with a file of its own is a declared one (a derived type), not a built-in.
        if T::output_path().is_some() {
            let name = T::ident(&self.cfg);
            let docs = T::docs().unwrap_or_default();
            self.decls.entry(name).or_insert_with(|| format!("{docs}export {}\n", T::decl(&self.cfg)));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn declarations() -> BTreeMap<String, String> {
    let mut d = Decls { cfg: Config::new().with_large_int("number"), seen: HashSet::new(), decls: BTreeMap::new() };
    macro_rules! roots {
        ($($t:ty),* $(,)?) => { $( d.visit::<$t>(); )* };
    }
    use crate::commands::export::{Destination, MapPart};
    use crate::commands::import::{ImportOutcome, PickedSource, Progress};
    use crate::commands::items::{EditInput, NewItemInput};
    use crate::commands::workspace::{Info, Session};
    use mellanrum::*;
    roots!(
        Kind,
        Rel,
        model::FieldSpec,
        Info,
        Session,
        NewItemInput,
        EditInput,
        chairs::Thresholds,
        trace::Trace,
        lens::Lens,
        PickedSource,
        ImportOutcome,
        Progress,
        Destination,
        MapPart,
        crate::sync::SyncStatus,
        crate::state::ImportKind,
        workspace::ItemSummary,
        workspace::RenameReport,
        workspace::RevisionView,
        workspace::Unresolved,
        workspace::Activity,
        ItemView,
        workspace::SaveReport,
        search::SearchResults,
        search::Lang,
        similar::SimilarResults,
        round::RoundView,
        round::Answered,
        attach::FilePreview,
        attach::AttachReport,
        sync::Conflict,
        graph::MapView,
        import::signals::PreviewRow,
        export::ExportReport,
        Person,
        crate::failure::Failure,
    );
    d.decls
}

/// A value as TypeScript source (JSON is TypeScript).
fn js(v: impl serde::Serialize) -> String {
    serde_json::to_string(&v).expect("a constant serialises")
}

/// The runtime part of the schema: lists the window iterates over.
fn constants() -> String {
    let mut out = String::new();
    let list = |name: &str, ty: Option<&str>, values: String, doc: &str| {
        let check = ty.map(|t| format!(" satisfies readonly {t}[]")).unwrap_or_default();
        format!("/** {doc} */\nexport const {name} = {values} as const{check};\n")
    };
    out += &list("KINDS", Some("Kind"), js(Kind::ALL), "Every kind, in the order the window lists them (`Kind::ALL`).");
    out += &list("RELS", Some("Rel"), js(Rel::ALL), "Every relation of a typed link (`Rel::ALL`).");
    out += &list("SIGNAL_SOURCES", None, js(model::SIGNAL_SOURCES), "A signal's sources.");
    out += &list("INSIGHT_STATUSES", None, js(model::INSIGHT_STATUSES), "An insight's statuses.");
    out += &list("FRICTION_STATUSES", None, js(model::FRICTION_STATUSES), "A friction's statuses, in lifecycle order.");
    out += &list("SEVERITIES", None, js(model::SEVERITIES), "A friction's severities.");
    out += &list("ANSWERS", None, js(model::ANSWERS), "The answers of a consent round.");
    out += "export type RoundAnswer = (typeof ANSWERS)[number];\n";
    out += &list("IMPORT_KINDS", Some("ImportKind"), js(crate::state::ImportKind::ALL), "What the window imports.");
    out += &list("EXPORT_FORMATS", None, js(mellanrum::export::Format::ALL), "The formats a map exports to.");
    out += "export type ExportFormat = (typeof EXPORT_FORMATS)[number];\n";
    out += &error_codes();
    let fields: BTreeMap<String, serde_json::Value> =
        Kind::ALL.iter().map(|k| (k.as_str().to_string(), serde_json::to_value(k.fields()).unwrap())).collect();
    let fields: Vec<String> = Kind::ALL.iter().map(|k| format!("  {}: {},", k.as_str(), fields[k.as_str()])).collect();
    out += &format!(
        "/** Each kind's own fields in display order, how each is written and a choice's values (`Kind::fields`). */\nexport const FIELDS: Record<Kind, readonly FieldSpec[]> = {{\n{}\n}};\n",
        fields.join("\n")
    );
    out
}

/// The core's error codes and each one's parameters (from `Error::examples`), which the window's
/// catalogue words: `error.<code>` in both languages, placeholders among the parameters.
fn error_codes() -> String {
    let codes: Vec<&str> = mellanrum::error::Code::all().map(|c| c.as_str()).collect();
    let params: Vec<String> = mellanrum::Error::examples()
        .iter()
        .map(|e| {
            let names: Vec<String> = match &serde_json::to_value(e).expect("an error serialises")["params"] {
                serde_json::Value::Object(m) => m.keys().cloned().collect(),
                serde_json::Value::Null => Vec::new(),
                _ => vec!["detail".to_string()],
            };
            format!("  {}: {},", e.code().as_str(), js(names))
        })
        .collect();
    format!(
        "/** The core's error codes (`error::Code`), each worded as `error.<code>` in the window's catalogue. */\nexport const ERROR_CODES = {} as const;\nexport type ErrorCode = (typeof ERROR_CODES)[number];\n/** The parameters of each code's error; a one-text error's text is `detail`. */\nexport const ERROR_PARAMS: Record<ErrorCode, readonly string[]> = {{\n{}\n}};\n",
        js(codes),
        params.join("\n")
    )
}

/// Each command's arguments and result, from the signatures of the `#[tauri::command]` functions.
fn commands(declared: &BTreeSet<String>) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let files: Vec<syn::File> = crate::command_names::sources(&dir)
        .iter()
        .map(|(name, text)| syn::parse_file(text).unwrap_or_else(|e| panic!("commands/{name} does not parse: {e}")))
        .collect();
    let names = crate::command_names::in_dir(&dir);
    let mut out =
        String::from("/** Every command: the arguments the window sends and what it gets back. */\nexport interface Commands {\n");
    let mut found = Vec::new();
    for item in files.iter().flat_map(|f| &f.items) {
        let syn::Item::Fn(f) = item else { continue };
        if !f.attrs.iter().any(|a| a.path().segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["tauri", "command"]) {
            continue;
        }
        let name = f.sig.ident.to_string();
        let ty = |t: &syn::Type| ts_type(t, declared, &name);
        let mut args = Vec::new();
        let mut raw = false;
        for input in &f.sig.inputs {
            let syn::FnArg::Typed(p) = input else { continue };
            let syn::Pat::Ident(arg) = &*p.pat else { panic!("{name}: an argument without a plain name") };
            match last_ident(&p.ty).as_deref() {
                Some("State" | "AppHandle" | "Window" | "WebviewWindow") => {}
                Some("Request") => raw = true,
                _ => {
                    let (optional, inner) = match option_inner(&p.ty) {
                        Some(inner) => ("?", format!("{} | null", ty(inner))),
                        None => ("", ty(&p.ty)),
                    };
                    args.push(format!("{}{optional}: {inner}", arg.ident));
                }
            }
        }
        let result = match &f.sig.output {
            syn::ReturnType::Type(_, t) => match generic_args(t).as_deref() {
                Some([ok]) if last_ident(t).as_deref() == Some("Res") => ty(ok),
                _ => panic!("{name}: a command returns Res<T>"),
            },
            syn::ReturnType::Default => panic!("{name}: a command returns Res<T>"),
        };
        let args = if raw {
            assert!(args.is_empty(), "{name}: a command that reads the request's body takes nothing else");
            "Uint8Array".to_string()
        } else if args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        for line in doc_lines(&f.attrs) {
            out += &format!("  /** {line} */\n");
        }
        out += &format!("  {name}: {{ args: {args}; result: {result} }};\n");
        found.push(name);
    }
    out += "}\n";
    assert_eq!(found, names, "every #[tauri::command] is a top-level function of a file of commands/");
    out
}

fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    let text: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if text.is_empty() {
        Vec::new()
    } else {
        vec![text.join(" ")]
    }
}

fn last_ident(t: &syn::Type) -> Option<String> {
    match t {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn generic_args(t: &syn::Type) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(p) = t else { return None };
    let syn::PathArguments::AngleBracketed(a) = &p.path.segments.last()?.arguments else { return Some(Vec::new()) };
    Some(
        a.args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

fn option_inner(t: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = t else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else { return None };
    match a.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// The TypeScript of a Rust type named in a command's signature.
fn ts_type(t: &syn::Type, declared: &BTreeSet<String>, command: &str) -> String {
    let ty = |t: &syn::Type| ts_type(t, declared, command);
    match t {
        syn::Type::Tuple(tuple) if tuple.elems.is_empty() => "null".into(),
        syn::Type::Tuple(tuple) => format!("[{}]", tuple.elems.iter().map(ty).collect::<Vec<_>>().join(", ")),
        syn::Type::Path(_) => {
            let name = last_ident(t).unwrap_or_default();
            let args = generic_args(t).unwrap_or_default();
            match (name.as_str(), args.as_slice()) {
                ("Option", [inner]) => format!("{} | null", ty(inner)),
                ("Vec", [inner]) => format!("Array<{}>", ty(inner)),
                ("Channel", [inner]) => format!("Channel<{}>", ty(inner)),
                ("String" | "str", []) => "string".into(),
                ("bool", []) => "boolean".into(),
                ("usize" | "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "f32" | "f64", []) => "number".into(),
                (other, []) => {
                    assert!(
                        declared.contains(other),
                        "the command {command} names the type {other}, which has no binding: derive ts_rs::TS on it and add it to the roots in bindings.rs"
                    );
                    other.to_string()
                }
                _ => panic!("the command {command} names a type the bindings do not know how to write: {}", quote::quote!(#t)),
            }
        }
        _ => panic!("the command {command} names a type the bindings do not know how to write: {}", quote::quote!(#t)),
    }
}

const NOTE: &str = "// Generated from the Rust types by `cargo test -p mellanrum-desktop bindings` (src-tauri/src/bindings.rs).\n// Do not edit: change the Rust types and run that test.\n";

/// The text of `ui/src/lib/bindings.ts`.
pub fn bindings() -> String {
    let decls = declarations();
    let declared: BTreeSet<String> = decls.keys().cloned().collect();
    let mut out = String::from(NOTE);
    out += "import type { Channel } from \"@tauri-apps/api/core\";\n\n";
    for decl in decls.values() {
        out += decl;
        out += "\n";
    }
    out += &constants();
    out += "\n";
    out += &commands(&declared);
    out
}

/// The text of `ui/src/lib/title-keys.generated.ts`.
pub fn title_keys() -> String {
    let pairs: Vec<String> = TITLES.iter().map(|t| format!("  [{}, {}],", js(t), js(model::title_key(t)))).collect();
    format!(
        "{NOTE}/** Titles and the key `model::title_key` makes of each: the window's `titleKey` must agree. */\nexport const TITLE_KEYS: [string, string][] = [\n{}\n];\n",
        pairs.join("\n")
    )
}

/// Writes `contents` to `path` (relative to the repository) and fails when it differed, so a
/// stale file fails the test while the run leaves the fresh one to commit.
fn ensure_file(path: &str, contents: &str) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let old = std::fs::read_to_string(&full).unwrap_or_default();
    if old.replace("\r\n", "\n") == contents {
        return;
    }
    std::fs::write(&full, contents).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    panic!("{path} was stale and has been written anew from the Rust types: check the window (`cd ui && npm run check`) and commit it");
}

#[test]
fn the_window_bindings_are_generated_from_the_rust_types() {
    let text = bindings();
    // Everything a command names is declared; a kind's fields and the relations come from the core.
    for needed in
        ["export type ItemView = ", "export type Kind = ", "export const FIELDS", "export interface Commands", "list_items: { args: "]
    {
        assert!(text.contains(needed), "{needed}");
    }
    ensure_file("ui/src/lib/bindings.ts", &text);
}

#[test]
fn the_title_keys_the_window_is_tested_against_are_the_cores() {
    ensure_file("ui/src/lib/title-keys.generated.ts", &title_keys());
}

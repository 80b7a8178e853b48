//! Errors as codes with parameters: the core says what went wrong and with what, each front end
//! words it. The command line prints the core's line and adds the way out in its own commands; the
//! window's catalogue words every code in Swedish and English.

use std::collections::BTreeSet;

use mellanrum::error::Code;
use mellanrum::Error;

use crate::util::Ws;

/// The `error.<code>` keys of one language's part of the window's catalogue (`ui/src/lib/i18n.ts`):
/// the English part is `const en = { … }`, the Swedish `const sv: … = { … }`.
fn worded(catalogue: &str, part: &str) -> BTreeSet<String> {
    let start = catalogue.find(part).unwrap_or_else(|| panic!("i18n.ts has no `{part}`"));
    let body = &catalogue[start..];
    let body = &body[..body.find("\n}").expect("the part ends")];
    body.lines().filter_map(|l| l.trim().strip_prefix("\"error.")?.split('"').next().map(str::to_string)).collect()
}

#[test]
fn the_window_words_every_error_code_in_swedish_and_english_and_no_other() {
    let catalogue = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/i18n.ts")).unwrap();
    let codes: BTreeSet<String> = Code::all().map(|c| c.as_str().to_string()).collect();
    assert!(codes.len() > 10 && codes.contains("unknown_person"), "{codes:?}");
    assert_eq!(worded(&catalogue, "const en = {"), codes, "the English catalogue's error.* keys are the core's codes");
    assert_eq!(worded(&catalogue, "const sv: Record<Key, string> = {"), codes, "the Swedish catalogue's error.* keys are the core's codes");
}

#[test]
fn the_rule_reads_the_catalogue_s_parts() {
    let sample = "const en = {\n  \"error.a\": \"A\",\n  \"nav.x\": \"X\",\n} as const;\nconst sv: Record<Key, string> = {\n  \"error.b\": \"B\",\n};\n";
    assert_eq!(worded(sample, "const en = {"), BTreeSet::from(["a".to_string()]));
    assert_eq!(worded(sample, "const sv: Record<Key, string> = {"), BTreeSet::from(["b".to_string()]));
}

#[test]
fn an_error_is_a_code_with_its_parameters_and_one_line_naming_no_command() {
    let e = Error::UnknownPerson { name: "Nobody".into() };
    assert_eq!(serde_json::to_value(&e).unwrap(), serde_json::json!({"code": "unknown_person", "params": {"name": "Nobody"}}));
    assert_eq!(e.to_string(), "unknown person 'Nobody'");
    let e = Error::TooLarge { file: "big.png".into(), size: Some("3 KB".into()), limit: "2 KB".into() };
    assert_eq!(serde_json::to_value(&e).unwrap()["params"], serde_json::json!({"file": "big.png", "size": "3 KB", "limit": "2 KB"}));
    for e in Error::examples() {
        assert!(!e.to_string().contains("mellanrum "), "{e}");
    }
}

#[test]
fn the_command_line_adds_the_way_out_in_its_own_commands() {
    let ws = Ws::new();
    // The core's line, then the command line's hint.
    let e = ws.fails(&["--as", "Nobody", "add", "note", "--title", "x"]);
    assert_eq!(e, "error: unknown person 'Nobody' (add them with `mellanrum person add \"Nobody\" --perspective PERSPECTIVE`)");
    let r = ws.add("resolution", "Ship on Fridays", &[]);
    assert_eq!(ws.fails(&["round", "close", &r]), "error: 'Ship on Fridays' has no consent round (open one with `mellanrum round open`)");
    let n = ws.add("note", "Old idea", &[]);
    ws.ok(&["delete", &n]);
    assert_eq!(
        ws.fails(&["edit", &n, "--title", "New idea"]),
        format!("error: 'Old idea' is deleted (bring it back with `mellanrum restore {n}`)")
    );
    // An error without a code of its own has no hint.
    let e = ws.fails(&["add", "note", "--title", " "]);
    assert!(!e.contains("mellanrum "), "{e}");
}

//! Search: the query language, Swedish and English stemming on real text, filters, past
//! resolutions, snippets, saves searchable at once, index repair, two processes at once.

use std::collections::BTreeSet;
use std::fs;

use mellanrum::model::Kind;
use mellanrum::workspace::{Edit, NewItem, Workspace};
use serde_json::Value;

use crate::util::{fixtures, Ws};

/// Titles of the hits of `query`, in rank order.
fn titles(ws: &Ws, query: &str) -> Vec<String> {
    hits(ws, query).iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

fn hits(ws: &Ws, query: &str) -> Vec<Value> {
    let v = ws.json(&["search", query, "--limit", "1000"]);
    let hits = v["hits"].as_array().unwrap().clone();
    assert_eq!(v["total"].as_u64().unwrap() as usize, hits.len(), "total counts every match: {v}");
    hits
}

fn title_set(ws: &Ws, query: &str) -> BTreeSet<String> {
    titles(ws, query).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn note(title: &str, body: &str) -> NewItem {
    NewItem { kind: Some(Kind::Note), title: title.into(), body: body.into(), ..Default::default() }
}

struct Faq {
    question: String,
    answer: String,
}

/// The real Swedish text: SweFAQ pairs, one note each (title: the question, body: the answer).
fn swefaq(ws: &Ws) -> Vec<Faq> {
    let text = fs::read_to_string(fixtures().join("swefaq").join("swefaq.jsonl")).unwrap();
    let faqs: Vec<Faq> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Faq { question: v["question"].as_str().unwrap().into(), answer: v["answer"].as_str().unwrap().into() }
        })
        .collect();
    let mut w = Workspace::open(ws.path()).unwrap();
    for f in &faqs {
        w.create(note(&f.question, &f.answer)).unwrap();
    }
    faqs
}

/// The questions whose text holds one of `family` as a whole word (case-insensitive).
fn holding(faqs: &[Faq], family: &[&str]) -> BTreeSet<String> {
    faqs.iter()
        .filter(|f| {
            let text = format!("{} {}", f.question, f.answer).to_lowercase();
            text.split(|c: char| !c.is_alphanumeric()).any(|w| family.contains(&w))
        })
        .map(|f| f.question.clone())
        .collect()
}

#[test]
fn swedish_stemming_on_real_text() {
    let ws = Ws::new();
    let faqs = swefaq(&ws);
    assert_eq!(faqs.len(), 40);
    let families: &[&[&str]] = &[
        &["patient", "patienten", "patientens", "patienter", "patients"],
        &["barn", "barnet", "barnets"],
        &["åtgärd", "åtgärden", "åtgärder", "åtgärderna"],
        &["vårdnadshavare", "vårdnadshavaren", "vårdnadshavarna"],
        &["sjukdom", "sjukdomen"],
    ];
    for family in families {
        let expected = holding(&faqs, family);
        assert!(expected.len() >= 2, "the fixture holds {family:?}");
        // Every form finds every item holding any form, and else only items holding a compound
        // with it (`patientansvar` for `patient`).
        for form in *family {
            let found = title_set(&ws, form);
            assert!(found.is_superset(&expected), "searching '{form}': {found:?}");
            for extra in found.difference(&expected) {
                let f = faqs.iter().find(|f| &f.question == extra).unwrap();
                let text = format!("{} {}", f.question, f.answer).to_lowercase();
                assert!(
                    text.split(|c: char| !c.is_alphanumeric()).any(|w| w.len() > family[0].len() && w.contains(family[0])),
                    "searching '{form}' found '{extra}', which holds no compound with it"
                );
            }
        }
    }
    // Not covered: stem alternations such as läkemedel → läkemedlet (no stemmer rule joins them).
    // A compound the lexicon knows is found by its own forms.
    let compound = holding(&faqs, &["patientsäkerhet", "patientsäkerhets"]);
    assert!(!compound.is_empty());
    let found = title_set(&ws, "patientsäkerhet");
    assert!(found.is_superset(&compound), "{found:?}");
    // … and the longer compounds it is part of (`patientsäkerhetslagen`).
    for extra in found.difference(&compound) {
        let f = faqs.iter().find(|f| &f.question == extra).unwrap();
        assert!(f.answer.to_lowercase().contains("patientsäkerhet") || f.question.to_lowercase().contains("patientsäkerhet"), "{extra}");
    }
    // Snippets mark the inflected forms found, in the real text.
    let h = hits(&ws, "barnets");
    assert!(h.iter().any(|h| h["snippet"].as_str().unwrap().contains("<b>barnet</b>")), "{h:?}");
}

#[test]
fn swedish_and_english_stemming_on_mixed_text() {
    let ws = Ws::new();
    ws.add("note", "Möte om kund", &["--body", "En kund ringde i går."]);
    ws.add("note", "Kundens önskemål", &["--body", "Vi pratade om kundens budget."]);
    ws.add("note", "Alla kunderna", &["--body", "Kunderna vill ha mer."]);
    ws.add("note", "Leveransen är sen", &["--body", "Leveransen kom en vecka för sent."]);
    ws.add("note", "Två leveranser", &["--body", "Båda leveranser saknade delar."]);
    ws.add("note", "Customer call", &["--body", "The customer asked for a discount."]);
    ws.add("note", "Unrelated", &["--body", "Kundvagn och far i huset."]);
    let kund = set(&["Möte om kund", "Kundens önskemål", "Alla kunderna"]);
    for q in ["kund", "kunder", "kundens", "kunderna"] {
        assert_eq!(title_set(&ws, q), kund, "searching '{q}'");
    }
    let leverans = set(&["Leveransen är sen", "Två leveranser"]);
    for q in ["leverans", "leveransen", "leveranser"] {
        assert_eq!(title_set(&ws, q), leverans, "searching '{q}'");
    }
    assert_eq!(title_set(&ws, "customers"), set(&["Customer call"]));
    assert_eq!(title_set(&ws, "discounts"), set(&["Customer call"]));
    // Mixed in one query.
    assert_eq!(title_set(&ws, "customers discount"), set(&["Customer call"]));
}

#[test]
fn diacritics_matter_but_a_query_without_them_finds_the_word_when_nothing_closer_exists() {
    let ws = Ws::new();
    ws.add("note", "Vad vi får göra", &["--body", "Kunden får en rabatt."]);
    ws.add("note", "Möten", &["--body", "Planering av möten."]);
    // Typed without diacritics, and nothing spelled that way exists: the word with them is found.
    assert_eq!(title_set(&ws, "far"), set(&["Vad vi får göra"]));
    assert_eq!(title_set(&ws, "moten"), set(&["Möten"]));
    // Once the plain word exists, it is what a plain query finds.
    ws.add("note", "Min far", &["--body", "Far kommer i morgon."]);
    assert_eq!(title_set(&ws, "far"), set(&["Min far"]));
    // Typed with diacritics: only the word with them.
    assert_eq!(title_set(&ws, "får"), set(&["Vad vi får göra"]));
    assert_eq!(title_set(&ws, "möten"), set(&["Möten"]));
}

#[test]
fn title_matches_rank_above_body_matches() {
    let ws = Ws::new();
    ws.add("note", "Onboarding checklist", &["--body", "Steps for new people: pricing is covered later."]);
    ws.add("note", "Pricing", &["--body", "Our principles."]);
    ws.add("note", "Notes from Tuesday", &["--body", "We discussed pricing and onboarding."]);
    let t = titles(&ws, "pricing");
    assert_eq!(t[0], "Pricing", "{t:?}");
    assert_eq!(t.len(), 3);
}

#[test]
fn the_word_and_its_stem_rank_above_a_match_through_the_other_languages_stem_only() {
    let ws = Ws::new();
    // "Customed" shares only the English stem `custom` with "customers", and sits in a title.
    ws.add("note", "Customed build flags", &["--body", "Flags for the build."]);
    ws.add("note", "Release notes", &["--body", "Two customers asked for the export."]);
    ws.add("note", "Interview summary", &["--body", "The customer wants monthly releases."]);
    ws.add("note", "Customers", &["--body", "Who they are."]);
    let t = titles(&ws, "customers");
    assert_eq!(t.len(), 4, "every form is still found: {t:?}");
    // The word itself, in a title or a body, ranks above the title that shares only the English stem.
    assert_eq!(&t[..2], ["Customers", "Release notes"], "{t:?}");
    assert!(t[2..].contains(&"Customed build flags".to_string()), "{t:?}");
}

#[test]
fn swedish_filter_names_and_values_and_errors_in_swedish() {
    use mellanrum::search::{parse, parse_in, Lang};
    let ws = Ws::new();
    ws.add("friction", "Pricing tension", &["--body", "pricing"]);
    ws.add("friction", "Old tension", &["--body", "pricing"]);
    ws.add("resolution", "We decided", &["--body", "resolves:: [[Old tension]]"]);
    ws.add("insight", "Pricing hunch", &["--body", "pricing"]);
    assert_eq!(title_set(&ws, "status:löst"), set(&["Old tension"]));
    assert_eq!(title_set(&ws, "kind:friktion"), set(&["Pricing tension", "Old tension"]));
    assert_eq!(title_set(&ws, "typ:friktion status:öppen"), set(&["Pricing tension"]));
    assert_eq!(title_set(&ws, "typ:insikter status:hypotes"), set(&["Pricing hunch"]));
    assert_eq!(title_set(&ws, "pricing typ:beslut,friktion -status:löst"), set(&["Pricing tension"]));
    assert_eq!(parse("tagg:pris").unwrap(), parse("tag:pris").unwrap());
    assert_eq!(parse("före:2026-01-01 efter:2025-01-01").unwrap(), parse("before:2026-01-01 after:2025-01-01").unwrap());
    // Errors in the window's language; the English ones are as they were.
    let sv = |q: &str| parse_in(q, Lang::Sv).unwrap_err().to_string();
    assert!(sv("status:klar").contains("status:klar är ingen status") && sv("status:klar").contains("löst"), "{}", sv("status:klar"));
    assert!(sv("typ:blogg").contains("okänd typ 'blogg'"), "{}", sv("typ:blogg"));
    assert!(sv("colour:red").contains("okänt filter 'colour:'") && sv("colour:red").contains("typ:"), "{}", sv("colour:red"));
    assert!(sv("\"kund").contains("stängs aldrig"), "{}", sv("\"kund"));
    assert!(sv("efter:snart").contains("inget datum"), "{}", sv("efter:snart"));
    assert!(sv("").contains("tom sökning"));
    assert!(ws.fails(&["search", "status:done"]).contains("status:done is not a status"));
}

#[test]
fn phrases_exclusion_and_or() {
    let ws = Ws::new();
    ws.add("note", "A", &["--body", "The customer feedback was clear."]);
    ws.add("note", "B", &["--body", "Feedback from one customer, nothing clear."]);
    ws.add("note", "C", &["--body", "Kundens feedback om priset."]);
    ws.add("note", "D", &["--body", "Pricing feedback, draft."]);
    assert_eq!(title_set(&ws, "\"customer feedback\""), set(&["A"]));
    assert_eq!(title_set(&ws, "customer feedback"), set(&["A", "B"]));
    assert_eq!(title_set(&ws, "feedback -customer"), set(&["C", "D"]));
    assert_eq!(title_set(&ws, "feedback -\"customer feedback\""), set(&["B", "C", "D"]));
    assert_eq!(title_set(&ws, "\"customer feedback\" clear"), set(&["A"]));
    assert_eq!(title_set(&ws, "clear \"customer feedback\" -\"one customer\""), set(&["A"]));
    assert_eq!(title_set(&ws, "\"customer feedback\" OR priset"), set(&["A", "C"]));
    assert_eq!(title_set(&ws, "priset OR pricing"), set(&["C", "D"]));
    assert_eq!(title_set(&ws, "feedback priset OR pricing -draft"), set(&["C"]));
    // A word that splits into several acts as a phrase.
    ws.add("note", "E", &["--body", "Send an e-mail."]);
    ws.add("note", "F", &["--body", "Mail the e team."]);
    assert_eq!(title_set(&ws, "e-mail"), set(&["E"]));
    // Only exclusions: everything else.
    assert_eq!(title_set(&ws, "-feedback"), set(&["E", "F"]));
}

#[test]
fn every_filter() {
    let ws = Ws::new();
    ws.ok(&["person", "add", "Erik Berg", "--perspective", "Engineering"]);
    ws.ok(&["person", "add", "Åsa Lind", "--perspective", "Customer Success"]);
    ws.add("note", "Pricing note", &["--body", "pricing", "--tag", "pricing/eu"]);
    ws.add("friction", "Pricing tension", &["--body", "pricing", "--tag", "pricing", "--position", "Support=Too many tickets"]);
    ws.add("insight", "Pricing insight", &["--as", "Erik Berg", "--body", "pricing", "--set", "status=validated"]);
    ws.add("signal", "Old signal", &["--as", "Åsa Lind", "--body", "pricing", "--set", "date=2025-06-30"]);
    ws.add("signal", "New signal", &["--body", "pricing", "--set", "date=2026-01-01", "--tag", "churn"]);
    let all = set(&["Pricing note", "Pricing tension", "Pricing insight", "Old signal", "New signal"]);
    assert_eq!(title_set(&ws, "pricing"), all);
    assert_eq!(title_set(&ws, "pricing kind:signal"), set(&["Old signal", "New signal"]));
    assert_eq!(title_set(&ws, "kind:signals"), set(&["Old signal", "New signal"]), "a filter alone lists");
    assert_eq!(title_set(&ws, "pricing kind:friction,insight"), set(&["Pricing tension", "Pricing insight"]));
    assert_eq!(title_set(&ws, "pricing -kind:signal -kind:note"), set(&["Pricing tension", "Pricing insight"]));
    assert_eq!(title_set(&ws, "status:open"), set(&["Pricing tension"]));
    assert_eq!(title_set(&ws, "status:validated"), set(&["Pricing insight"]));
    assert_eq!(title_set(&ws, "status:resolved"), set(&[]));
    assert_eq!(title_set(&ws, "tag:pricing"), set(&["Pricing note", "Pricing tension"]), "a tag finds its sub-tags");
    assert_eq!(title_set(&ws, "tag:pricing/eu"), set(&["Pricing note"]));
    assert_eq!(title_set(&ws, "tag:#Churn"), set(&["New signal"]));
    assert_eq!(title_set(&ws, "pricing author:erik"), set(&["Pricing insight"]));
    assert_eq!(title_set(&ws, "author:\"erik berg\""), set(&["Pricing insight"]));
    assert_eq!(title_set(&ws, "author:asa"), set(&["Old signal"]), "names match without diacritics");
    assert_eq!(title_set(&ws, "author:anna"), set(&["Pricing note", "Pricing tension", "New signal"]));
    assert_eq!(title_set(&ws, "perspective:engineering"), set(&["Pricing insight"]));
    assert_eq!(title_set(&ws, "perspective:\"customer success\""), set(&["Old signal"]));
    assert_eq!(title_set(&ws, "perspective:support"), set(&["Pricing tension"]), "a friction's perspectives count");
    assert_eq!(title_set(&ws, "perspective:sales kind:signal"), set(&["New signal"]));
    assert_eq!(title_set(&ws, "kind:signal before:2026-01-01"), set(&["Old signal"]), "before is strict");
    assert_eq!(title_set(&ws, "kind:signal after:2026-01-01"), set(&["New signal"]), "after includes the day");
    assert_eq!(title_set(&ws, "kind:signal after:2025-06-30 before:2025-07-01"), set(&["Old signal"]));
    // Items without a date of their own are dated by their creation.
    assert_eq!(title_set(&ws, "kind:note after:2020-01-01"), set(&["Pricing note"]));
    assert_eq!(title_set(&ws, "kind:note before:2020-01-01"), set(&[]));
    // A person's perspective changes: their items follow.
    ws.ok(&["person", "set", "Erik Berg", "--perspective", "Product"]);
    assert_eq!(title_set(&ws, "perspective:product"), set(&["Pricing insight"]));
    assert_eq!(title_set(&ws, "perspective:engineering"), set(&[]));
}

#[test]
fn past_resolutions_are_found_with_their_frictions() {
    let ws = Ws::new();
    ws.add(
        "friction",
        "Release date",
        &["--position", "Sales=Ship the pricing change in March", "--position", "Engineering=Ship when it is stable", "--tag", "pricing"],
    );
    ws.add("friction", "Discount policy", &["--position", "Sales=Bigger discounts", "--tag", "pricing"]);
    ws.add("note", "Pricing page copy", &["--body", "pricing text"]);
    ws.add(
        "resolution",
        "Ship in April",
        &[
            "--set",
            "decision=We ship the pricing change in April",
            "--set",
            "rationale=Stability matters more than the quarter; sales gets a beta programme",
            "--body",
            "resolves:: [[Release date]]",
        ],
    );
    // "Have we had this tension before, and what did we decide?"
    let h = hits(&ws, "kind:friction status:resolved pricing");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["title"], "Release date");
    let snippet = h[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("Resolution: Ship in April"), "{snippet}");
    assert!(snippet.contains("April") && snippet.contains("Stability"), "decision and rationale: {snippet}");
    // The resolution's own words find the friction (and the resolution).
    assert_eq!(title_set(&ws, "beta programme"), set(&["Release date", "Ship in April"]));
    assert_eq!(title_set(&ws, "kind:friction programme"), set(&["Release date"]));
    // The resolution changes: the friction follows.
    ws.ok(&["edit", "Ship in April", "--set", "rationale=Quality first; customers asked for stability"]);
    assert_eq!(title_set(&ws, "kind:friction programme"), set(&[]));
    assert_eq!(title_set(&ws, "kind:friction quality"), set(&["Release date"]));
    // The resolution goes away: the friction is no longer resolved, nor found by its words.
    ws.ok(&["delete", "Ship in April"]);
    assert_eq!(title_set(&ws, "kind:friction quality"), set(&[]));
    assert_eq!(title_set(&ws, "kind:friction status:resolved"), set(&[]));
    assert_eq!(title_set(&ws, "kind:friction status:exploring"), set(&["Release date"]));
}

#[test]
fn snippets_mark_matches_and_escape_the_text() {
    let ws = Ws::new();
    let long = format!(
        "{} The renewal <script>alert(1)</script> & pricing talk. {}",
        "Filler words here. ".repeat(30),
        "More filler. ".repeat(30)
    );
    let id = ws.add("note", "Renewals", &["--body", &long]);
    let v = ws.json(&["search", "pricing"]);
    let hit = &v["hits"][0];
    assert_eq!(hit["id"], id.as_str());
    assert_eq!(hit["kind"], "note");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(v["took_ms"].as_f64().unwrap() >= 0.0);
    let s = hit["snippet"].as_str().unwrap();
    assert!(s.contains("<b>pricing</b>"), "{s}");
    assert!(s.contains("&lt;script&gt;") && !s.contains("<script>"), "{s}");
    assert!(s.starts_with('…') && s.ends_with('…') && s.chars().count() < 250, "a fragment, not the body: {s}");
    // The terminal shows the same without marks when it is not a terminal.
    let text = ws.ok(&["search", "pricing"]);
    assert!(text.starts_with("1 result ("), "{text}");
    assert!(text.contains("Renewals") && text.contains("<script>alert(1)</script> & pricing") && !text.contains("<b>"), "{text}");
    // A title match with no body match shows the start of the body.
    ws.add("note", "Churn", &["--body", "Why customers leave."]);
    assert_eq!(hits(&ws, "churn")[0]["snippet"], "Why customers leave.");
}

#[test]
fn limit_and_total() {
    let ws = Ws::new();
    let mut w = Workspace::open(ws.path()).unwrap();
    for i in 0..30 {
        w.create(note(&format!("Retro {i}"), "retrospective notes")).unwrap();
    }
    let v = ws.json(&["search", "retrospective", "--limit", "5"]);
    assert_eq!(v["total"], 30);
    assert_eq!(v["hits"].as_array().unwrap().len(), 5);
    let r = w.search("retrospective", 7).unwrap();
    assert_eq!((r.total, r.hits.len()), (30, 7));
}

#[test]
fn every_save_is_searchable_at_once() {
    let ws = Ws::new();
    let id = ws.add("note", "Roadmap", &["--body", "quarterly planning"]);
    assert_eq!(title_set(&ws, "quarterly"), set(&["Roadmap"]));
    ws.ok(&["edit", &id, "--body", "yearly planning"]);
    assert_eq!(title_set(&ws, "quarterly"), set(&[]));
    assert_eq!(title_set(&ws, "yearly"), set(&["Roadmap"]));
    ws.ok(&["rename", &id, "Strategy"]);
    assert_eq!(title_set(&ws, "yearly"), set(&["Strategy"]));
    ws.ok(&["delete", &id]);
    assert_eq!(title_set(&ws, "yearly"), set(&[]));
    ws.ok(&["restore", &id]);
    assert_eq!(title_set(&ws, "yearly"), set(&["Strategy"]));

    // In one process: read your writes, whether or not the index committed them.
    let mut w = Workspace::open(ws.path()).unwrap();
    let before = w.index_status().unwrap();
    let r = w.create(note("Offsite", "agenda for the offsite")).unwrap();
    assert_eq!(w.search("agenda", 10).unwrap().hits[0].id, r.id);
    assert_eq!(w.index_status().unwrap().pending, before.pending + 1, "queued, not yet committed");
    w.update(&r.id, Edit { body: Some("programme for the offsite".into()), ..Default::default() }).unwrap();
    assert_eq!(w.search("agenda", 10).unwrap().total, 0);
    assert_eq!(w.search("programme", 10).unwrap().hits[0].id, r.id);
    assert!(w.flush_index().unwrap() >= 2);
    let after = w.index_status().unwrap();
    assert_eq!(after.pending, 0);
    assert_eq!(after.docs, 2);
    assert_eq!(w.search("programme", 10).unwrap().hits[0].id, r.id);
    assert_eq!(w.search("agenda", 10).unwrap().total, 0);
}

#[test]
fn many_small_edits_keep_the_segment_count_bounded() {
    let ws = Ws::new();
    let mut w = Workspace::open(ws.path()).unwrap();
    let id = w.create(note("Draft", "word0")).unwrap().id;
    for i in 1..=60 {
        w.update(&id, Edit { body: Some(format!("word{i}")), ..Default::default() }).unwrap();
        w.flush_index().unwrap();
    }
    let s = w.index_status().unwrap();
    assert_eq!((s.docs, s.pending), (1, 0));
    assert!(s.segments <= 10, "60 commits left {} segments", s.segments);
    assert_eq!(w.search("word60", 10).unwrap().total, 1);
    assert_eq!(w.search("word59", 10).unwrap().total, 0);
}

#[test]
fn bad_queries_give_clear_errors() {
    let ws = Ws::new();
    ws.add("note", "Something", &[]);
    let e = ws.fails(&["search", "\"customer feedback"]);
    assert!(e.contains("quote at column 1 is never closed"), "{e}");
    let e = ws.fails(&["search", "colour:red"]);
    assert!(e.contains("unknown filter 'colour:'") && e.contains("kind:"), "{e}");
    let e = ws.fails(&["search", ""]);
    assert!(e.contains("empty query"), "{e}");
    let e = ws.fails(&["search", "kind:blog"]);
    assert!(e.contains("unknown kind 'blog'"), "{e}");
    let e = ws.fails(&["search", "after:soon"]);
    assert!(e.contains("not a date"), "{e}");
    let e = ws.fails(&["search", "a OR"]);
    assert!(e.contains("OR needs a word"), "{e}");
    // A leading exclusion is a query, not an option.
    assert_eq!(ws.json(&["search", "-something"])["total"], 0);
}

// ---- repair ---------------------------------------------------------------------------------

fn repaired(ws: &Ws, query: &str, reason: &str) -> BTreeSet<String> {
    let r = ws.run(&["search", query, "--json", "--limit", "100"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains(reason) && r.stderr.contains("rebuilt it from the database"), "stderr: {}", r.stderr);
    r.json()["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

fn some_items(ws: &Ws) {
    ws.add("note", "Alpha", &["--body", "shared word"]);
    ws.add("note", "Beta", &["--body", "shared word"]);
    ws.add("friction", "Gamma", &["--position", "Sales=shared word"]);
    assert_eq!(title_set(ws, "shared"), set(&["Alpha", "Beta", "Gamma"]));
}

#[test]
fn a_deleted_index_folder_is_rebuilt() {
    let ws = Ws::new();
    // The first search of a new workspace builds the index without a word.
    let r = ws.run(&["search", "anything"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    some_items(&ws);
    fs::remove_dir_all(ws.path().join("index")).unwrap();
    assert_eq!(repaired(&ws, "shared", "was missing"), set(&["Alpha", "Beta", "Gamma"]));
    // Once repaired, nothing more to say.
    let r = ws.run(&["search", "shared"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn a_corrupt_index_folder_is_rebuilt() {
    let ws = Ws::new();
    some_items(&ws);
    let dir = ws.path().join("index");
    // Every file of the index overwritten with garbage.
    for e in fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::write(&p, b"\x00garbage{not an index").unwrap();
        }
    }
    assert_eq!(repaired(&ws, "shared", "was corrupt"), set(&["Alpha", "Beta", "Gamma"]));
    // Only the segment data truncated.
    for e in fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "store" || x == "idx") {
            let len = fs::metadata(&p).unwrap().len();
            fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(len / 2).unwrap();
        }
    }
    assert_eq!(repaired(&ws, "shared", "was corrupt"), set(&["Alpha", "Beta", "Gamma"]));
    // The folder replaced by a file.
    fs::remove_dir_all(&dir).unwrap();
    fs::write(&dir, "not a folder").unwrap();
    let r = ws.run(&["search", "shared"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("rebuilt"), "{}", r.stderr);
    assert!(dir.is_dir());
}

#[test]
fn a_stale_index_is_rebuilt() {
    let ws = Ws::new();
    some_items(&ws);
    let dir = ws.path().join("index");
    let saved = ws.path().join("saved-index");
    copy_dir(&dir, &saved);
    ws.add("note", "Delta", &["--body", "shared word"]);
    ws.ok(&["delete", "Alpha"]);
    assert_eq!(title_set(&ws, "shared"), set(&["Beta", "Gamma", "Delta"]));
    // An older copy of the index comes back (a backup, a sync conflict).
    fs::remove_dir_all(&dir).unwrap();
    copy_dir(&saved, &dir);
    assert_eq!(repaired(&ws, "shared", "was stale"), set(&["Beta", "Gamma", "Delta"]));
    // An index of another workspace.
    let other = Ws::new();
    other.add("note", "Elsewhere", &["--body", "shared"]);
    assert_eq!(title_set(&other, "shared"), set(&["Elsewhere"]));
    fs::remove_dir_all(&dir).unwrap();
    copy_dir(&other.path().join("index"), &dir);
    assert_eq!(repaired(&ws, "shared", "belongs to another workspace"), set(&["Beta", "Gamma", "Delta"]));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn reindex_rebuilds_from_the_database() {
    let ws = Ws::new();
    some_items(&ws);
    let v = ws.json(&["reindex"]);
    assert_eq!(v["items"], 3);
    let text = ws.ok(&["reindex"]);
    assert!(text.starts_with("Indexed 3 items in "), "{text}");
    assert_eq!(title_set(&ws, "shared"), set(&["Alpha", "Beta", "Gamma"]));
    let mut w = Workspace::open(ws.path()).unwrap();
    let mut calls = Vec::new();
    assert_eq!(w.reindex(|done, total| calls.push((done, total))).unwrap(), 3);
    assert_eq!(calls.last(), Some(&(3, 3)));
    let s = w.index_status().unwrap();
    assert_eq!((s.docs, s.segments, s.pending), (3, 1, 0));
}

// ---- two processes --------------------------------------------------------------------------

#[test]
fn another_process_holding_the_index_never_makes_this_one_fail() {
    use fs4::fs_std::FileExt;
    let ws = Ws::new();
    some_items(&ws);
    // Another process holds the index (it is rebuilding or committing and takes its time).
    let lock = fs::OpenOptions::new().write(true).create(true).truncate(false).open(ws.path().join("index.lock")).unwrap();
    assert!(lock.try_lock_exclusive().unwrap());
    for i in 0..3 {
        ws.add("note", &format!("While locked {i}"), &["--body", "shared word"]);
        let r = ws.run(&["search", "shared", "--json"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(r.stderr, "", "no lock error, no warning");
        assert_eq!(r.json()["total"], 4 + i);
    }
    let mut w = Workspace::open(ws.path()).unwrap();
    assert_eq!(w.flush_index().unwrap(), 0, "this process does not wait for the lock");
    assert_eq!(w.index_status().unwrap().pending, 3);
    assert_eq!(w.search("locked", 10).unwrap().total, 3);
    drop(lock);
    // The lock is free: the next search commits what was queued.
    assert_eq!(title_set(&ws, "locked").len(), 3);
    let s = w.index_status().unwrap();
    assert_eq!((s.pending, s.docs), (0, 6));
}

#[test]
fn two_processes_write_and_search_at_once() {
    let ws = Ws::new();
    some_items(&ws);
    std::thread::scope(|s| {
        for p in 0..2 {
            let ws = &ws;
            s.spawn(move || {
                for i in 0..8 {
                    let title = format!("Process {p} item {i}");
                    ws.add("note", &title, &["--body", &format!("concurrent p{p}i{i}")]);
                    let r = ws.run(&["search", &format!("p{p}i{i}"), "--json"]);
                    assert_eq!(r.code, 0, "{r:?}");
                    assert!(!r.stderr.contains("error") && !r.stderr.contains("lock"), "{}", r.stderr);
                    assert_eq!(r.json()["hits"][0]["title"], title.as_str(), "read your writes");
                }
            });
        }
        // Meanwhile a third process rebuilds the index from scratch, twice.
        let ws = &ws;
        s.spawn(move || {
            for _ in 0..2 {
                let r = ws.run(&["reindex"]);
                assert_eq!(r.code, 0, "{r:?}");
            }
        });
    });
    assert_eq!(title_set(&ws, "concurrent").len(), 16, "nothing lost");
    let mut w = Workspace::open(ws.path()).unwrap();
    w.flush_index().unwrap();
    let s = w.index_status().unwrap();
    assert_eq!((s.docs, s.pending), (19, 0));
}

#[test]
fn the_index_folder_vanishing_under_a_searching_process_is_survived() {
    let ws = Ws::new();
    some_items(&ws);
    let mut w = Workspace::open(ws.path()).unwrap();
    assert_eq!(w.search("shared", 10).unwrap().total, 3);
    // Deleted while this process has it open: the next search rebuilds it and says so.
    fs::remove_dir_all(ws.path().join("index")).unwrap();
    assert_eq!(w.search("shared", 10).unwrap().total, 3);
    assert!(w.open_index().unwrap().is_some_and(|r| r.to_string().contains("was missing")));
    // Deleted and rebuilt by another process: this one follows.
    fs::remove_dir_all(ws.path().join("index")).unwrap();
    ws.add("note", "Late", &["--body", "shared"]);
    assert_eq!(title_set(&ws, "shared").len(), 4);
    assert_eq!(w.search("shared", 10).unwrap().total, 4);
    assert_eq!(w.open_index().unwrap().map(|r| r.to_string()), None, "nothing to repair here");
}

// The same search again in one process gives the same hits, and every change — a save here, a
// save, a commit or a rebuild by another process, a delete — is seen by the next search.
#[test]
fn a_search_repeated_in_one_process_follows_every_change() {
    let ws = Ws::new();
    some_items(&ws);
    let mut w = Workspace::open(ws.path()).unwrap();
    let ids = |w: &mut Workspace, q: &str| -> Vec<String> { w.search(q, 10).unwrap().hits.into_iter().map(|h| h.id).collect() };
    let first = ids(&mut w, "shared");
    assert_eq!(first.len(), 3);
    assert_eq!(ids(&mut w, "shared"), first);
    let here = w.create(note("Here", "shared too")).unwrap().id;
    assert_eq!(ids(&mut w, "shared").len(), 4);
    w.update(&here, Edit { body: Some("nothing in common".into()), ..Default::default() }).unwrap();
    assert_eq!(ids(&mut w, "shared").len(), 3);
    let there = ws.add("note", "There", &["--body", "shared as well"]);
    assert!(ids(&mut w, "shared").contains(&there));
    w.flush_index().unwrap();
    assert_eq!(ids(&mut w, "shared").len(), 4);
    // Another process rebuilds the index: this one reads the new one.
    ws.ok(&["reindex"]);
    assert_eq!(ids(&mut w, "shared").len(), 4);
    w.delete(&there).unwrap();
    assert_eq!(ids(&mut w, "shared").len(), 3);
    // A smaller limit is its own search.
    let mut now = ids(&mut w, "shared");
    now.sort();
    let mut want = first.clone();
    want.sort();
    assert_eq!(now, want);
    assert_eq!(w.search("shared", 1).unwrap().hits.len(), 1);
}

/// One note per form, titled by the form, so a search's hits name the forms it found.
fn forms_workspace(forms: &[&str]) -> Ws {
    let ws = Ws::new();
    let mut w = Workspace::open(ws.path()).unwrap();
    for f in forms {
        w.create(note(&format!("ord {f}"), &format!("Här står {f} i en mening."))).unwrap();
    }
    ws
}

fn forms_found(ws: &Ws, query: &str) -> BTreeSet<String> {
    title_set(ws, query).into_iter().map(|t| t.trim_start_matches("ord ").to_string()).collect()
}

// Issue 18: each example of "Why" — the lemma finds its definite forms, umlaut plurals, strong
// and irregular verb forms and irregular comparison, through the real CLI and a real index.
#[test]
fn swedish_lemmas_find_definite_forms_strong_verbs_umlaut_and_comparison() {
    let families: &[(&str, &[&str])] = &[
        ("vecka", &["veckan"]),
        ("sida", &["sidan"]),
        ("skola", &["skolan"]),
        ("medlem", &["medlemmar"]),
        ("parti", &["partiet"]),
        ("förälder", &["föräldrar"]),
        ("skriva", &["skrev", "skrivit"]),
        ("göra", &["gjorde", "gjort"]),
        ("säga", &["sade", "sagt"]),
        ("gammal", &["gamla", "äldre"]),
        ("stor", &["större"]),
    ];
    let all: Vec<&str> = families.iter().flat_map(|(l, fs)| std::iter::once(*l).chain(fs.iter().copied())).collect();
    let ws = forms_workspace(&all);
    for (lemma, forms) in families {
        let want: BTreeSet<String> = std::iter::once(*lemma).chain(forms.iter().copied()).map(String::from).collect();
        assert_eq!(forms_found(&ws, lemma), want, "searching '{lemma}'");
        // The exact word ranks first.
        assert_eq!(titles(&ws, lemma)[0], format!("ord {lemma}"), "searching '{lemma}'");
        // An inflected form finds its lemma's forms too.
        for f in *forms {
            assert!(forms_found(&ws, f).contains(*lemma), "searching '{f}' finds '{lemma}'");
        }
    }
}

// A form is linked to a lemma by its ending only where the lemma's own paradigm has that
// ending: an agent noun's plural is no verb form, a neuter noun in -e has no plural -r, a noun
// with the plural -ar no definite -et, an adjective no definite -en, an irregular verb no weak
// supine. Each wrong link made a search find an unrelated word.
#[test]
fn a_form_reaches_only_the_lemmas_whose_paradigm_has_its_ending() {
    let ws = forms_workspace(&[
        "välja",
        "väljer",
        "valde",
        "väljare",
        "väljarna",
        "tycka",
        "tycker",
        "tycke",
        "tycket",
        "värd",
        "värdar",
        "värde",
        "värdet",
        "vanlig",
        "vanliga",
        "vanligare",
        "vanligen",
        "vara",
        "är",
        "varit",
        "vart",
    ]);
    assert_eq!(forms_found(&ws, "välja"), set(&["välja", "väljer", "valde"]));
    assert_eq!(forms_found(&ws, "väljare"), set(&["väljare", "väljarna"]));
    assert_eq!(forms_found(&ws, "tycke"), set(&["tycke", "tycket"]));
    assert!(forms_found(&ws, "tycka").contains("tycker"));
    assert_eq!(forms_found(&ws, "värd"), set(&["värd", "värdar"]));
    assert_eq!(forms_found(&ws, "värde"), set(&["värde", "värdet"]));
    assert_eq!(forms_found(&ws, "vanlig"), set(&["vanlig", "vanliga", "vanligare"]));
    assert_eq!(forms_found(&ws, "vanligen"), set(&["vanligen"]));
    assert!(forms_found(&ws, "vara").is_superset(&set(&["vara", "är", "varit"])));
    // A form that is a headword of its own (glada the bird, lever the organ) is also the form of
    // a word with that ending's part of speech, and of no other (motor is no form of mota).
    let ws = forms_workspace(&["glad", "glada", "gladare", "leva", "lever", "levde", "visa", "visade", "mota", "motor", "motade"]);
    assert_eq!(forms_found(&ws, "glad"), set(&["glad", "glada", "gladare"]));
    assert_eq!(forms_found(&ws, "leva"), set(&["leva", "lever", "levde"]));
    assert!(forms_found(&ws, "visa").is_superset(&set(&["visa", "visade"])));
    assert_eq!(forms_found(&ws, "mota"), set(&["mota", "motade"]));
    // A strong verb's passive supine (`har gjorts`, `har sålts`) is its verb's form too.
    let ws = forms_workspace(&["göra", "gjorde", "gjorts", "sälja", "sålde", "sålts"]);
    assert_eq!(forms_found(&ws, "göra"), set(&["göra", "gjorde", "gjorts"]));
    assert_eq!(forms_found(&ws, "sälja"), set(&["sälja", "sålde", "sålts"]));
    assert!(!forms_found(&ws, "vara").contains("vart"), "{:?}", forms_found(&ws, "vara"));
    // A second-conjugation verb's present is no plural of the neuter noun of its stem (`köper`
    // is köpa's, not a plural of `köp`), and a form of the irregular table is linked by no ending
    // (`sätter` is not `sätt`'s, `kunde` not `kund`'s).
    let ws = forms_workspace(&["köp", "köpet", "köpa", "köper", "köpte", "sätt", "sättet", "sätta", "sätter", "kunde", "kund", "kunden"]);
    assert_eq!(forms_found(&ws, "köp"), set(&["köp", "köpet"]));
    assert_eq!(forms_found(&ws, "köpa"), set(&["köpa", "köper", "köpte"]));
    assert_eq!(forms_found(&ws, "sätt"), set(&["sätt", "sättet"]));
    assert_eq!(forms_found(&ws, "kund"), set(&["kund", "kunden"]));
}

// An s-verb with a meaning of its own is a lemma of its own: `hoppas` (hope) is not the passive
// of `hoppa` (jump), `tyckas` (seem) not `tycka` (think), `synas` (show) not `syna` (inspect).
#[test]
fn s_verbs_of_their_own_find_their_forms_and_not_the_verb_they_look_like() {
    let ws = forms_workspace(&[
        "hoppas", "hoppades", "hoppa", "hoppar", "tyckas", "tycks", "tycktes", "tycka", "tycker", "synas", "syns", "syntes", "syna",
        "synar", "kännas", "känns", "kändes", "känna", "känner",
    ]);
    assert_eq!(forms_found(&ws, "hoppas"), set(&["hoppas", "hoppades"]));
    assert_eq!(forms_found(&ws, "tyckas"), set(&["tyckas", "tycks", "tycktes"]));
    assert_eq!(forms_found(&ws, "synas"), set(&["synas", "syns", "syntes"]));
    assert_eq!(forms_found(&ws, "kännas"), set(&["kännas", "känns", "kändes"]));
    // The verb still finds its own forms, and its passive, which the s-verb's forms also are.
    assert!(forms_found(&ws, "hoppa").is_superset(&set(&["hoppa", "hoppar", "hoppas"])));
    assert!(forms_found(&ws, "tycka").is_superset(&set(&["tycka", "tycker"])));
    assert!(forms_found(&ws, "känna").is_superset(&set(&["känna", "känner"])));
}

// `kommer att` is the future, not the verb to come: `komma` finds the verb's forms and not the
// auxiliary's (through one or two sentence adverbs, not across a sentence's end), while the word as
// written and a phrase still find the auxiliary.
#[test]
fn komma_before_att_is_the_future_and_not_found_by_the_verb() {
    let ws = Ws::new();
    let mut w = Workspace::open(ws.path()).unwrap();
    for (title, body) in [
        ("arrival", "Leveransen kom fram i tisdags."),
        ("home", "Hon kommer hem efter mötet."),
        ("future", "Vi kommer att leverera i maj."),
        ("future not", "Kunden kommer inte att förnya avtalet."),
        ("two adverbs", "Det kommer nog inte att räcka."),
        ("sentence end", "De kommer. Att vänta är fel."),
        ("infinitive", "Priset kan komma att höjas."),
    ] {
        w.create(note(title, body)).unwrap();
    }
    drop(w);
    assert_eq!(title_set(&ws, "komma"), set(&["arrival", "home", "sentence end", "infinitive"]));
    assert_eq!(title_set(&ws, "kommer"), set(&["arrival", "home", "future", "future not", "two adverbs", "sentence end"]));
    assert!(title_set(&ws, "\"kommer att\"").contains("future"));
    assert_eq!(title_set(&ws, "kom"), set(&["arrival", "home", "sentence end"]));
}

#[test]
fn english_irregular_forms_find_their_lemma() {
    let ws = forms_workspace(&["ran", "run", "running", "children", "child", "better", "good"]);
    assert_eq!(forms_found(&ws, "run"), set(&["ran", "run", "running"]));
    assert_eq!(forms_found(&ws, "ran"), set(&["ran", "run", "running"]));
    assert_eq!(forms_found(&ws, "child"), set(&["children", "child"]));
    assert_eq!(forms_found(&ws, "children"), set(&["children", "child"]));
    // WordNet's lexicon makes `better` a form of `good`.
    assert_eq!(forms_found(&ws, "good"), set(&["better", "good"]));
}

// Issue 18: compounds are found by their parts, below the exact word and its other forms; a
// query for the compound finds the compound first.
#[test]
fn compounds_are_found_by_their_parts_ranked_below_exact_and_lemma_hits() {
    let ws = forms_workspace(&[
        "kundmöte",
        "möte",
        "möten",
        "leveransproblem",
        "leverans",
        "prissättningsbeslut",
        "beslut",
        "bok",
        "böcker",
        "kundbok",
    ]);
    assert_eq!(forms_found(&ws, "möte"), set(&["möte", "möten", "kundmöte"]));
    assert_eq!(titles(&ws, "möte").last().unwrap(), "ord kundmöte", "the compound ranks last");
    assert_eq!(forms_found(&ws, "leverans"), set(&["leverans", "leveransproblem"]));
    assert_eq!(forms_found(&ws, "problem"), set(&["leveransproblem"]));
    for part in ["pris", "sättning", "beslut"] {
        assert!(forms_found(&ws, part).contains("prissättningsbeslut"), "searching '{part}'");
    }
    assert_eq!(titles(&ws, "beslut"), vec!["ord beslut", "ord prissättningsbeslut"]);
    // Exact, then the lemma's other form, then the compound.
    assert_eq!(titles(&ws, "bok"), vec!["ord bok", "ord böcker", "ord kundbok"]);
    // The compound itself: only the compound.
    assert_eq!(titles(&ws, "kundmöte"), vec!["ord kundmöte"]);
    assert_eq!(titles(&ws, "prissättningsbeslut"), vec!["ord prissättningsbeslut"]);
    // `sätt` (a word of its own) is no part of `prissättningsbeslut`: `sättning` is.
    assert!(!forms_found(&ws, "sätt").contains("prissättningsbeslut"));
}

// Issue 18: 134 real compounds from Talbanken and SweFAQ, each with its parts written by hand
// (tests/fixtures/compounds). Each compound is a note of its own; searching each part must find
// it (recall), and a compound found by a part must hold that part (precision).
#[test]
fn compound_parts_find_real_compounds() {
    let text = fs::read_to_string(fixtures().join("compounds").join("compounds.tsv")).unwrap();
    let rows: Vec<(String, Vec<String>)> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "compounds.tsv: {l}");
            (cols[0].to_string(), cols[1].split(' ').map(String::from).collect())
        })
        .collect();
    assert!(rows.len() >= 100, "{} compounds", rows.len());
    let ws = Ws::new();
    let mut w = Workspace::open(ws.path()).unwrap();
    for (i, (compound, _)) in rows.iter().enumerate() {
        w.create(note(&format!("c{i:03}"), compound)).unwrap();
    }
    let (mut pairs, mut found, mut hits, mut right) = (0, 0, 0, 0);
    let mut missed = Vec::new();
    let parts: BTreeSet<&String> = rows.iter().flat_map(|(_, p)| p).collect();
    for part in parts {
        let got: BTreeSet<String> = w.search(part, 1000).unwrap().hits.into_iter().map(|h| h.title).collect();
        for (i, (compound, ps)) in rows.iter().enumerate() {
            let title = format!("c{i:03}");
            if ps.contains(part) {
                pairs += 1;
                if got.contains(&title) {
                    found += 1;
                } else {
                    missed.push(format!("{compound}/{part}"));
                }
            }
            if got.contains(&title) {
                hits += 1;
                right += usize::from(ps.contains(part));
            }
        }
    }
    let recall = found as f64 / pairs as f64;
    let precision = right as f64 / hits as f64;
    println!(
        "compound parts: {} compounds, {pairs} parts searched: recall {recall:.3} ({found}/{pairs}), precision {precision:.3} ({right}/{hits})",
        rows.len()
    );
    println!("missed: {}", missed.join(", "));
    assert!(recall >= 0.90, "recall {recall:.3}; missed: {}", missed.join(", "));
    assert!(precision >= 0.95, "precision {precision:.3}");
}

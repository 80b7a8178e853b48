//! The CLI contract, end to end: every command, every kind, and the bad-input cases.

use crate::util::Ws;
use serde_json::Value;

fn titles(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn init_creates_a_workspace_and_refuses_twice() {
    let ws = Ws::empty();
    assert!(ws.path().join("mellanrum.db").is_file());
    let info = ws.json(&["info"]);
    assert_eq!(info["name"], "Test");
    assert_eq!(info["counts"]["note"], 0);
    let err = ws.fails(&["init", ws.path().to_str().unwrap()]);
    assert!(err.contains("already a Mellanrum workspace"), "{err}");
}

#[test]
fn a_folder_that_is_not_a_workspace_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let r = std::process::Command::new(crate::util::bin()).args(["--workspace", dir.path().to_str().unwrap(), "list"]).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("is not a Mellanrum workspace") && err.contains("mellanrum init"), "{err}");
}

#[test]
fn every_change_needs_a_person_and_is_attributed() {
    let ws = Ws::empty();
    let err = ws.fails(&["add", "note", "--title", "Orphan"]);
    assert!(err.contains("person add"), "{err}");
    ws.ok(&["person", "add", "Anna", "--perspective", "Sales"]);
    ws.ok(&["person", "add", "Erik", "--perspective", "Engineering"]);
    assert!(ws.fails(&["person", "add", "anna", "--perspective", "X"]).contains("exists already"));
    let people = ws.json(&["person", "list"]);
    assert_eq!(people.as_array().unwrap().len(), 2);

    let id = ws.add("note", "Kickoff", &["--body", "First draft"]);
    ws.ok(&["--as", "Erik", "edit", &id, "--body", "First draft, with Erik's notes"]);
    let v = ws.show(&id);
    assert_eq!(v["author"], "Anna");
    let contributors: Vec<&str> = v["contributors"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(contributors, ["Anna", "Erik"]);
    assert_eq!(v["contributors"][1]["perspective"], "Engineering");

    assert!(ws.fails(&["--as", "Nobody", "add", "note", "--title", "x"]).contains("unknown person 'Nobody'"));
    ws.ok(&["person", "use", "Erik"]);
    let id2 = ws.add("note", "Erik's note", &[]);
    assert_eq!(ws.show(&id2)["author"], "Erik");
    ws.ok(&["person", "set", "Erik", "--perspective", "Platform"]);
    assert_eq!(ws.show(&id2)["contributors"][0]["perspective"], "Platform");
}

#[test]
fn every_kind_with_its_own_fields() {
    let ws = Ws::new();
    let s = ws.add(
        "signal",
        "Kunden väntar på leveransen",
        &[
            "--set",
            "source=interview",
            "--set",
            "customer=Acme AB",
            "--set",
            "date=2026-03-01",
            "--set",
            "ref=ZD-1042",
            "--set",
            "quote=Vi väntar alltid på leveransen",
            "--tag",
            "delivery",
        ],
    );
    let i = ws.add("insight", "Delivery time drives churn", &["--set", "status=validated"]);
    let f = ws.add(
        "friction",
        "Release date",
        &["--set", "severity=high", "--position", "Sales=Ship in March", "--position", "Engineering=Ship when stable"],
    );
    let r = ws.add(
        "resolution",
        "Beta in March",
        &[
            "--set",
            "decision=Beta in March, GA in May",
            "--set",
            "rationale=Customers get value early; engineering gets time",
            "--set",
            "agreed_by=Anna, Erik",
            "--set",
            "decided_on=2026-02-20",
            "--set",
            "retires=Big-bang releases",
        ],
    );
    let g = ws.add("goal", "Faster delivery", &["--set", "horizon=2027", "--set", "owner=Anna"]);
    let m = ws.add(
        "meeting",
        "Planning",
        &[
            "--set",
            "start=2026-03-02 09:00",
            "--set",
            "end=2026-03-02T10:30:00+00:00",
            "--set",
            "attendees=Anna; Erik",
            "--set",
            "location=Room 4",
        ],
    );
    let n = ws.add("note", "Plain note", &[]);

    let sv = ws.show(&s);
    assert_eq!(sv["kind"], "signal");
    assert_eq!(sv["fields"]["source"], "interview");
    assert_eq!(sv["fields"]["customer"], "Acme AB");
    assert_eq!(sv["fields"]["date"], "2026-03-01");
    assert_eq!(sv["fields"]["ref"], "ZD-1042");
    assert_eq!(sv["fields"]["quote"], "Vi väntar alltid på leveransen");
    assert_eq!(sv["tags"], serde_json::json!(["delivery"]));
    assert_eq!(ws.show(&i)["fields"]["status"], "validated");
    let fv = ws.show(&f);
    assert_eq!(fv["fields"]["status"], "open");
    assert_eq!(fv["fields"]["severity"], "high");
    assert_eq!(fv["fields"]["positions"]["Sales"], "Ship in March");
    assert_eq!(fv["fields"]["positions"]["Engineering"], "Ship when stable");
    let rv = ws.show(&r);
    assert_eq!(rv["fields"]["agreed_by"], "Anna, Erik");
    assert_eq!(rv["fields"]["decided_on"], "2026-02-20");
    assert_eq!(rv["fields"]["retires"], "Big-bang releases");
    assert_eq!(ws.show(&g)["fields"]["horizon"], "2027");
    let mv = ws.show(&m);
    assert_eq!(mv["fields"]["start"], "2026-03-02T09:00:00Z");
    assert_eq!(mv["fields"]["end"], "2026-03-02T10:30:00Z");
    assert_eq!(mv["fields"]["attendees"], "Anna, Erik");
    assert_eq!(ws.show(&n)["fields"], serde_json::json!({}));

    // show --json carries the contract's keys
    for key in ["id", "kind", "title", "body", "tags", "fields", "author", "contributors", "created", "updated", "links", "backlinks"] {
        assert!(sv.get(key).is_some(), "show --json lacks {key}");
    }

    // list, by kind and tag
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 7);
    assert_eq!(titles(&ws.json(&["list", "--kind", "signals"])), ["Kunden väntar på leveransen"]);
    assert_eq!(titles(&ws.json(&["list", "--tag", "#Delivery"])), ["Kunden väntar på leveransen"]);
    let human = ws.ok(&["list", "--kind", "friction"]);
    assert!(human.contains("Release date") && human.contains("[open]"), "{human}");

    // human show names fields and positions
    let shown = ws.ok(&["show", "release date"]);
    assert!(shown.contains("Engineering: Ship when stable") && shown.contains("severity: high"), "{shown}");
}

#[test]
fn field_values_are_validated() {
    let ws = Ws::new();
    let cases: &[(&[&str], &str)] = &[
        (&["add", "blog", "--title", "x"], "unknown kind 'blog'"),
        (&["add", "signal", "--title", "x", "--set", "date=yesterday"], "'yesterday' is not a date"),
        (&["add", "signal", "--title", "x", "--set", "source=rumour"], "'rumour' is not one of"),
        (&["add", "signal", "--title", "x", "--set", "colour=red"], "a signal has no field 'colour'"),
        (&["add", "note", "--title", "x", "--set", "status=open"], "a note has no field 'status'"),
        (&["add", "insight", "--title", "x", "--set", "status=maybe"], "'maybe' is not one of"),
        (&["add", "friction", "--title", "x", "--set", "severity=huge"], "'huge' is not one of"),
        (&["add", "friction", "--title", "x", "--set", "status=resolved"], "cannot start resolved"),
        (&["add", "resolution", "--title", "x", "--set", "decided_on=2026-13-01"], "is not a date"),
        (&["add", "meeting", "--title", "x", "--set", "start=noon"], "is not a date and time"),
        (&["add", "meeting", "--title", "x", "--set", "start=2026-03-02 10:00", "--set", "end=2026-03-02 09:00"], "before its start"),
        (&["add", "note", "--title", "x", "--position", "Sales=y"], "only a friction has positions"),
        (&["add", "note", "--title", "x", "--set", "novalue"], "is not FIELD=VALUE"),
        (&["add", "note", "--title", "  "], "title cannot be empty"),
        (&["add", "note", "--title", "a [[b]]"], "breaks [[links]]"),
        (&["add", "note", "--title", "x", "--tag", "two words"], "is not a tag"),
        (&["add", "note", "--title", "x", "--body-file", "/nonexistent/body.md"], "/nonexistent/body.md"),
        (&["list", "--kind", "foo"], "unknown kind 'foo'"),
        (&["show", "nothing-like-this"], "no item matches 'nothing-like-this'"),
        (&["link", "a", "b", "--rel", "likes"], "unknown relation 'likes'"),
    ];
    for (args, expected) in cases {
        let err = ws.fails(args);
        assert!(err.contains(expected), "mellanrum {args:?}: expected '{expected}' in: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    // nothing half-written
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 0);
}

#[test]
fn body_from_a_file_or_stdin() {
    let ws = Ws::new();
    let f = ws.path().join("body.md");
    std::fs::write(&f, "From a file with [[Target]]\r\n").unwrap();
    let id = ws.add("note", "Filed", &["--body-file", f.to_str().unwrap()]);
    assert_eq!(ws.show(&id)["body"], "From a file with [[Target]]\n");
    let r = ws.run_stdin(&["add", "note", "--title", "Piped", "--body-file", "-", "--json"], "Typed on stdin");
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(ws.show("Piped")["body"], "Typed on stdin");
    std::fs::write(&f, [0xff, 0xfe, 0x00]).unwrap();
    assert!(ws.fails(&["add", "note", "--title", "Bin", "--body-file", f.to_str().unwrap()]).contains("not UTF-8"));
}

#[test]
fn references_by_id_prefix_title_and_alias() {
    let ws = Ws::new();
    let id = ws.add("note", "Pricing Model", &["--alias", "Prismodell"]);
    assert_eq!(ws.show(&id)["id"], id.as_str());
    assert_eq!(ws.show(&id[..18])["id"], id.as_str());
    assert_eq!(ws.show("pricing model")["id"], id.as_str());
    assert_eq!(ws.show("PRISMODELL")["id"], id.as_str());
    let other = ws.add("signal", "Pricing model", &[]);
    let r = ws.run(&["add", "note", "--title", "Pricing model", "--json"]);
    assert!(r.stderr.contains("also titled"), "a duplicate title is allowed but noted: {r:?}");
    let err = ws.fails(&["show", "pricing model"]);
    assert!(err.contains("ambiguous") && err.contains(&other[..13]), "{err}");
    // a prefix shared by several ids is ambiguous too
    let err = ws.fails(&["show", &id[..4]]);
    assert!(err.contains("ambiguous"), "{err}");
}

#[test]
fn wikilinks_resolve_like_obsidian_and_backlinks_follow() {
    let ws = Ws::new();
    let a = ws.add(
        "note",
        "Onboarding",
        &[
            "--body",
            "See [[customer journey]], [[Customer Journey#Steps|the steps]], ![[Journey map]] and [[Kundresa]].\n```\n[[Not a link]]\n```",
        ],
    );
    let v = ws.show(&a);
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 4, "{links:?}");
    assert!(links.iter().all(|l| l["id"].is_null()));
    let unresolved = ws.json(&["unresolved"]);
    let targets: Vec<&str> = unresolved.as_array().unwrap().iter().map(|u| u["target"].as_str().unwrap()).collect();
    assert_eq!(targets.len(), 3, "{targets:?}");
    assert!(!targets.iter().any(|t| t.contains("Not a link")));

    // the link resolves the moment a matching item appears (case-insensitive, by alias too)
    let j = ws.add("note", "Customer journey", &["--alias", "Kundresa"]);
    let v = ws.show(&a);
    let resolved: Vec<&Value> = v["links"].as_array().unwrap().iter().filter(|l| l["id"] == j.as_str()).collect();
    assert_eq!(resolved.len(), 3, "{v}");
    assert_eq!(resolved[1]["heading"], "Steps");
    let back = ws.json(&["backlinks", "customer journey"]);
    assert_eq!(back.as_array().unwrap().len(), 3);
    assert_eq!(back[0]["title"], "Onboarding");
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 1, "only the embed is left");
    let human = ws.ok(&["unresolved"]);
    assert!(human.contains("[[Journey map]]") && human.contains("Onboarding (line 1)"), "{human}");

    // deleting the target makes the links unresolved again; restoring resolves them
    ws.ok(&["delete", &j]);
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 3);
    assert!(ws.fails(&["edit", &j, "--title", "x"]).contains("is deleted"));
    assert_eq!(titles(&ws.json(&["list", "--deleted"])).len(), 2);
    ws.ok(&["restore", &j]);
    assert_eq!(ws.json(&["backlinks", &j]).as_array().unwrap().len(), 3);
}

#[test]
fn rename_rewrites_links_everywhere() {
    let ws = Ws::new();
    let t = ws.add("note", "Old name", &[]);
    let a = ws.add("note", "A", &["--body", "Link [[old name]] and [[Old Name#Part|shown]] and ![[OLD NAME]]."]);
    let b = ws.add("note", "B", &["--body", "references:: [[Old name]]"]);
    let r = ws.json(&["rename", "Old name", "New name"]);
    assert_eq!(r["rewritten"].as_array().unwrap().len(), 2);
    assert_eq!(ws.show(&a)["body"], "Link [[New name]] and [[New name#Part|shown]] and ![[New name]].");
    assert_eq!(ws.show(&b)["body"], "references:: [[New name]]");
    assert_eq!(ws.show(&t)["backlinks"].as_array().unwrap().len(), 4);
    assert_eq!(ws.json(&["unresolved"]).as_array().unwrap().len(), 0);
    // the rewrite is a change like any other
    let h = ws.json(&["history", &a]);
    assert_eq!(h.as_array().unwrap().len(), 2);
    assert!(h[1]["changes"]["body"].is_object());
}

#[test]
fn typed_links_follow_their_rules() {
    let ws = Ws::new();
    ws.add("signal", "Slow exports", &["--set", "source=support"]);
    let i = ws.add("insight", "Exports block adoption", &["--body", "Users stall.\n\nevidence:: [[Slow exports]]"]);
    let n = ws.add("note", "Musing", &[]);
    let f = ws.add("friction", "Scope of export", &[]);
    let g = ws.add("goal", "Adoption", &[]);

    let v = ws.show(&i);
    assert_eq!(v["links"][0]["rel"], "evidence");
    assert_eq!(v["links"][0]["kind"], "signal");

    // refused: evidence from a note, resolves to a note, advances to a non-goal
    let err = ws.fails(&["link", &n, "Slow exports", "--rel", "evidence"]);
    assert!(err.contains("'evidence' goes from an insight to a signal"), "{err}");
    assert!(ws.fails(&["edit", &n, "--body", "resolves:: [[Scope of export]]"]).contains("breaks a link rule"));
    assert!(ws.fails(&["link", &n, &i, "--rel", "advances"]).contains("points to a goal"));
    assert!(ws.show(&n)["body"].as_str().unwrap().is_empty(), "nothing half-written");

    // link writes the typed line into the body; unlink removes it
    ws.ok(&["link", &n, &g, "--rel", "advances"]);
    ws.ok(&["link", &n, &f, "--rel", "contradicts"]);
    ws.ok(&["link", &n, &i, "--rel", "derived-from"]);
    ws.ok(&["link", &n, &i, "--rel", "supports"]);
    let body = ws.show(&n)["body"].as_str().unwrap().to_string();
    assert_eq!(body, "advances:: [[Adoption]]\ncontradicts:: [[Scope of export]]\nderived-from:: [[Exports block adoption]]\nsupports:: [[Exports block adoption]]\n");
    let rels: Vec<String> = ws.show(&n)["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap().to_string()).collect();
    assert_eq!(rels, ["advances", "contradicts", "derived-from", "supports"]);
    ws.ok(&["unlink", &n, &f, "--rel", "contradicts"]);
    assert!(!ws.show(&n)["body"].as_str().unwrap().contains("contradicts"));
    assert!(ws.fails(&["unlink", &n, &f, "--rel", "contradicts"]).contains("has no 'contradicts' link"));
    // linking twice is a no-op, not a duplicate line
    ws.ok(&["link", &n, &g, "--rel", "advances"]);
    assert_eq!(ws.show(&n)["body"].as_str().unwrap().matches("advances::").count(), 1);
    // a plain link in prose: unlink keeps the words
    let p = ws.add("note", "Prose", &["--body", "We discussed [[Adoption|adoption goals]] today."]);
    ws.ok(&["unlink", &p, &g, "--rel", "references"]);
    assert_eq!(ws.show(&p)["body"], "We discussed adoption goals today.");
}

#[test]
fn friction_lifecycle_and_resolutions() {
    let ws = Ws::new();
    let f = ws.add("friction", "Release date", &["--position", "Sales=March", "--position", "Engineering=When stable"]);
    ws.ok(&["edit", &f, "--set", "status=exploring"]);
    let err = ws.fails(&["edit", &f, "--set", "status=resolved"]);
    assert!(err.contains("becomes resolved when a resolution resolves it"), "{err}");
    assert!(ws.fails(&["edit", &f, "--set", "status=later"]).contains("is not one of"));

    // a resolution that resolves it marks it resolved
    let r = ws.add("resolution", "Beta in March", &["--set", "decision=Beta in March", "--body", "resolves:: [[Release date]]"]);
    assert_eq!(ws.show(&f)["fields"]["status"], "resolved");
    assert!(ws.fails(&["edit", &f, "--set", "status=open"]).contains("is resolved by 'Beta in March'"));
    let back = ws.show(&f)["backlinks"].clone();
    assert_eq!(back[0]["rel"], "resolves");
    assert_eq!(back[0]["id"], r.as_str());

    // taking the resolution away reopens the friction for exploring
    ws.ok(&["unlink", &r, &f, "--rel", "resolves"]);
    assert_eq!(ws.show(&f)["fields"]["status"], "exploring");
    ws.ok(&["link", &r, &f, "--rel", "resolves"]);
    assert_eq!(ws.show(&f)["fields"]["status"], "resolved");
    ws.ok(&["delete", &r]);
    assert_eq!(ws.show(&f)["fields"]["status"], "exploring");
    ws.ok(&["restore", &r]);
    assert_eq!(ws.show(&f)["fields"]["status"], "resolved");

    // parking and reopening follow the lifecycle
    let g = ws.add("friction", "Naming", &[]);
    ws.ok(&["edit", &g, "--set", "status=parked"]);
    ws.ok(&["edit", &g, "--set", "status=open"]);
    // positions can be changed and removed
    ws.ok(&["edit", &g, "--position", "Design=Short names", "--position", "Support=Descriptive"]);
    ws.ok(&["edit", &g, "--position", "support="]);
    let pos = ws.show(&g)["fields"]["positions"].clone();
    assert_eq!(pos, serde_json::json!({"Design": "Short names"}));
}

#[test]
fn edit_tags_aliases_title_and_history() {
    let ws = Ws::new();
    let id = ws.add("insight", "Onboarding is slow", &["--tag", "onboarding", "--tag", "ux"]);
    ws.ok(&["--json", "edit", &id, "--tag", "Growth", "--untag", "ux", "--alias", "Slow onboarding", "--set", "status=validated"]);
    let v = ws.show(&id);
    assert_eq!(v["tags"], serde_json::json!(["growth", "onboarding"]));
    assert_eq!(v["aliases"], serde_json::json!(["Slow onboarding"]));
    assert!(ws.fails(&["edit", &id, "--untag", "missing"]).contains("has no tag 'missing'"));
    assert!(ws.fails(&["edit", &id]).contains("nothing to change"));
    ws.ok(&["edit", &id, "--title", "Onboarding takes too long", "--unalias", "slow onboarding"]);
    let h = ws.json(&["history", &id]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0]["op"], "create");
    assert_eq!(h[1]["changes"]["status"]["old"], "hypothesis");
    assert_eq!(h[1]["changes"]["status"]["new"], "validated");
    assert_eq!(h[2]["changes"]["title"]["new"], "Onboarding takes too long");
    assert_eq!(h[2]["author"], "Anna");
    let human = ws.ok(&["history", &id]);
    assert!(human.contains("status: \"hypothesis\" → \"validated\""), "{human}");
    // an edit that changes nothing writes no revision
    ws.ok(&["edit", &id, "--tag", "growth"]);
    assert_eq!(ws.json(&["history", &id]).as_array().unwrap().len(), 3);
}

#[test]
fn delete_keeps_history_and_restore_brings_back() {
    let ws = Ws::new();
    let id = ws.add("note", "Temporary", &["--body", "keep me"]);
    ws.ok(&["delete", "temporary"]);
    assert_eq!(ws.json(&["list"]).as_array().unwrap().len(), 0);
    assert!(ws.show(&id)["deleted"].as_bool().unwrap());
    assert!(ws.fails(&["delete", &id]).contains("already deleted"));
    ws.ok(&["restore", &id]);
    let v = ws.show(&id);
    assert_eq!(v["body"], "keep me");
    let ops: Vec<String> = ws.json(&["history", &id]).as_array().unwrap().iter().map(|r| r["op"].as_str().unwrap().to_string()).collect();
    assert_eq!(ops, ["create", "delete", "restore"]);
}

#[test]
fn usage_errors_exit_1_without_a_panic() {
    let ws = Ws::new();
    let r = ws.run(&["add"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error:") && !r.stderr.contains("panicked"), "{}", r.stderr);
    let r = ws.run(&["frobnicate"]);
    assert_eq!(r.code, 1);
    assert_eq!(ws.run(&["--help"]).code, 0);
    // a hostile body is stored as text and never panics the parser
    let hostile = format!("{}{}", "[[".repeat(10_000), "]]x|#!`::".repeat(1000));
    let id = ws.add("note", "Hostile", &["--body", &hostile]);
    assert_eq!(ws.show(&id)["body"].as_str().unwrap().len(), hostile.len());
}

#[test]
fn the_demo_workspace_shows_every_kind_and_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo");
    let r = std::process::Command::new(crate::util::bin()).args(["demo", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    let ws = Ws { dir };
    let run = |args: &[&str]| {
        let mut a = vec!["--workspace", path.to_str().unwrap(), "--json"];
        a.extend_from_slice(args);
        ws.json(&a)
    };
    let info = run(&["info"]);
    for k in ["note", "signal", "insight", "friction", "resolution", "goal", "meeting"] {
        assert!(info["counts"][k].as_i64().unwrap() >= 1, "demo has no {k}");
    }
    let rels: std::collections::BTreeSet<String> = run(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| run(&["show", i["id"].as_str().unwrap()])["links"].as_array().unwrap().clone())
        .map(|l| l["rel"].as_str().unwrap().to_string())
        .collect();
    for rel in ["references", "evidence", "resolves", "advances", "supports", "derived-from"] {
        assert!(rels.contains(rel), "demo has no {rel} link: {rels:?}");
    }
    assert_eq!(run(&["show", "Release cadence"])["fields"]["status"], "resolved");
}

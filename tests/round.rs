//! Consent rounds: one friction between Sales, Engineering and Support goes from open to a closed
//! round, through the real CLI; an objection becomes a child friction, resolved in turn.

use serde_json::Value;

use crate::util::Ws;

/// Anna (Sales), Erik (Engineering), Sara (Support), Olle (Finance, asked by name).
fn team() -> Ws {
    let ws = Ws::new();
    for (name, p) in [("Erik", "Engineering"), ("Sara", "Support"), ("Olle", "Finance")] {
        ws.ok(&["person", "add", name, "--perspective", p]);
    }
    ws
}

fn status(ws: &Ws, item: &str) -> String {
    ws.show(item)["fields"]["status"].as_str().unwrap().to_string()
}

fn answers(v: &Value) -> Vec<(String, String, String)> {
    v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["person"].as_str().unwrap().into(), a["perspective"].as_str().unwrap().into(), a["answer"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn a_friction_between_three_perspectives_goes_from_open_to_a_closed_round_and_its_objection_is_resolved_in_turn() {
    let ws = team();
    let f = ws.add(
        "friction",
        "Release date",
        &[
            "--position",
            "Sales=Ship in May",
            "--position",
            "Engineering=June, after hardening",
            "--position",
            "Support=Not before the docs",
        ],
    );
    assert_eq!(status(&ws, &f), "open");
    let r = ws.add(
        "resolution",
        "Ship in June with a May beta",
        &["--body", "resolves:: [[Release date]]", "--set", "decision=Beta in May, release in June"],
    );
    // A resolution without a round behaves as before.
    assert_eq!(status(&ws, &f), "resolved");

    // Opening a round holds the friction at exploring and asks every perspective with a position.
    let v = ws.json(&["round", "open", &r, "--with", "Olle"]);
    assert_eq!(v["state"], "open");
    assert_eq!(v["waiting"], serde_json::json!(["Engineering", "Sales", "Support", "Olle"]));
    assert_eq!(v["outcome"], Value::Null);
    assert_eq!(status(&ws, &f), "exploring");
    let before = ws.fails(&["round", "open", &r]);
    assert!(before.contains("open already"), "{before}");

    // Waiting for your answer: Erik's perspective has not answered.
    let w = ws.json(&["--as", "Erik", "round", "waiting"]);
    assert_eq!(w.as_array().unwrap().len(), 1);
    assert_eq!(w[0]["title"], "Ship in June with a May beta");

    ws.ok(&["round", "answer", &r, "consent"]);
    ws.ok(&["--as", "Erik", "round", "answer", &r, "objection", "--reason", "No time to harden the sync code"]);
    let v = ws.json(&["round", "show", &r]);
    assert_eq!(v["waiting"], serde_json::json!(["Support", "Olle"]));
    assert_eq!(answers(&v)[1], ("Erik".into(), "Engineering".into(), "objection".into()));
    assert_eq!(v["answers"][1]["reason"], "No time to harden the sync code");
    assert_eq!(ws.json(&["--as", "Erik", "round", "waiting"]), serde_json::json!([]));

    // Closing is refused while the objection stands, and nothing changes.
    let e = ws.fails(&["round", "close", &r]);
    assert!(e.contains("Erik (Engineering) objects: No time to harden the sync code"), "{e}");
    assert_eq!(ws.json(&["round", "show", &r])["state"], "open");
    assert_eq!(status(&ws, &f), "exploring");

    // The objection becomes a child friction, derived from the first, in one step.
    let v = ws.json(&[
        "--as",
        "Erik",
        "round",
        "answer",
        &r,
        "objection",
        "--reason",
        "No time to harden the sync code",
        "--new-friction",
        "Hardening time before the June release",
    ]);
    assert_eq!(v["answers"][1]["friction"], "Hardening time before the June release");
    assert_eq!(v["answers"][1]["standing"], false);
    let child = ws.show("Hardening time before the June release");
    assert_eq!(child["kind"], "friction");
    assert_eq!(child["fields"]["status"], "open");
    assert_eq!(child["fields"]["positions"]["Engineering"], "No time to harden the sync code");
    assert_eq!(child["author"], "Erik");
    assert!(
        child["links"].as_array().unwrap().iter().any(|l| l["rel"] == "derived-from" && l["title"] == "Release date"),
        "{}",
        child["links"]
    );

    ws.ok(&["--as", "Sara", "round", "answer", &r, "concern", "--reason", "Support docs will be a week late"]);
    ws.ok(&["--as", "Olle", "round", "answer", &r, "consent"]);
    let v = ws.json(&["round", "show", &r]);
    assert_eq!(v["waiting"], serde_json::json!([]));

    // Closing now resolves the friction; the concern stays visible; agreed_by comes from the round.
    let v = ws.json(&["round", "close", &r]);
    assert_eq!(v["state"], "closed");
    assert_eq!(v["outcome"], "agreed with concerns");
    assert_eq!(v["answers"][2]["reason"], "Support docs will be a week late");
    assert_eq!(status(&ws, &f), "resolved");
    let res = ws.show(&r);
    assert_eq!(res["fields"]["agreed_by"], "Anna, Sara, Olle");
    assert!(res["fields"]["decided_on"].is_string());
    let twice = ws.fails(&["round", "close", &r]);
    assert!(twice.contains("closed already"), "{twice}");
    let late = ws.fails(&["--as", "Sara", "round", "answer", &r, "consent"]);
    assert!(late.contains("no longer taken"), "{late}");

    // The child friction is resolved in turn, by its own round; Erik answers for Engineering.
    let r2 = ws.add("resolution", "Two hardening weeks in May", &["--body", "resolves:: [[Hardening time before the June release]]"]);
    ws.ok(&["round", "open", &r2, "--with", "Anna"]);
    assert_eq!(status(&ws, "Hardening time before the June release"), "exploring");
    ws.ok(&["--as", "Erik", "round", "answer", &r2, "consent"]);
    ws.ok(&["round", "answer", &r2, "consent"]);
    let v = ws.json(&["round", "close", &r2]);
    assert_eq!(v["outcome"], "agreed");
    assert_eq!(status(&ws, "Hardening time before the June release"), "resolved");
    assert_eq!(ws.show(&r2)["fields"]["agreed_by"], "Anna, Erik");
    assert_eq!(status(&ws, &f), "resolved");

    // Every step is in the history, attributed; the workspace is consistent.
    let h = ws.json(&["history", &r]);
    let authors: Vec<&str> = h.as_array().unwrap().iter().map(|r| r["author"].as_str().unwrap()).collect();
    for who in ["Anna", "Erik", "Sara", "Olle"] {
        assert!(authors.contains(&who), "{authors:?}");
    }
    let text = ws.ok(&["history", &r]);
    assert!(text.contains("answer of Erik: — → objection (No time to harden the sync code)"), "{text}");
    assert!(
        text.contains("answer of Erik: objection (No time to harden the sync code) → objection (No time to harden the sync code), turned into a friction"),
        "{text}"
    );
    assert!(text.contains("answer of Sara: — → concern (Support docs will be a week late)"), "{text}");
    let d = ws.run(&["doctor"]);
    assert_eq!(d.code, 0, "{}", d.stdout);
}

#[test]
fn an_override_closes_over_a_standing_objection_and_records_who_and_why() {
    let ws = team();
    ws.add("friction", "Pricing page", &["--position", "Sales=Show prices", "--position", "Engineering=Hide them"]);
    let r = ws.add("resolution", "Show list prices", &["--body", "resolves:: [[Pricing page]]"]);
    ws.ok(&["round", "open", &r]);
    ws.ok(&["--as", "Erik", "round", "answer", &r, "objection", "--reason", "Dealers object"]);
    let e = ws.fails(&["round", "close", &r, "--override"]);
    assert!(e.contains("needs its reason"), "{e}");
    assert_eq!(ws.json(&["round", "show", &r])["state"], "open");
    assert_eq!(status(&ws, "Pricing page"), "exploring");
    let v = ws.json(&["round", "close", &r, "--override", "--reason", "The board decided"]);
    assert_eq!(v["outcome"], "overridden");
    assert_eq!(v["override"]["by"], "Anna");
    assert_eq!(v["override"]["reason"], "The board decided");
    assert_eq!(v["answers"][0]["standing"], true, "the objection stays visible");
    assert_eq!(status(&ws, "Pricing page"), "resolved");
    assert_eq!(ws.show(&r)["fields"]["agreed_by"], Value::Null, "nobody consented");
}

#[test]
fn bad_input_to_a_round_is_one_clear_error_and_writes_nothing() {
    let ws = team();
    ws.add("friction", "Onboarding", &["--position", "Sales=Fast", "--position", "Support=Thorough"]);
    let n = ws.add("note", "A note", &[]);
    let r = ws.add("resolution", "Two-step onboarding", &["--body", "resolves:: [[Onboarding]]"]);
    let lone = ws.add("resolution", "Nothing to resolve", &[]);
    let revs = |id: &str| ws.json(&["history", id]).as_array().unwrap().len();

    assert!(ws.fails(&["round", "open", &n]).contains("is a note, not a resolution"));
    assert!(ws.fails(&["round", "open", &lone]).contains("--with"));
    assert!(ws.fails(&["round", "open", &r, "--with", "Nobody"]).contains("unknown person 'Nobody'"));
    assert!(ws.fails(&["round", "answer", &r, "consent"]).contains("has no consent round"));
    assert!(ws.fails(&["round", "close", &r]).contains("has no consent round"));
    assert_eq!(revs(&r), 1, "nothing written");
    ws.ok(&["round", "open", &r]);
    assert!(ws.fails(&["--as", "Nobody", "round", "answer", &r, "consent"]).contains("unknown person 'Nobody'"));
    assert!(ws.fails(&["round", "answer", &r, "maybe"]).contains("not an answer"));
    assert!(ws.fails(&["round", "answer", &r, "objection"]).contains("needs its reason"));
    assert!(ws.fails(&["round", "answer", &r, "concern", "--reason", " "]).contains("needs its reason"));
    assert!(ws.fails(&["round", "answer", &r, "consent", "--new-friction", "X"]).contains("objection"));
    assert!(ws.fails(&["round", "answer", &r, "objection", "--reason", "no", "--new-friction", "Bad [[title]]"]).contains("title"));
    assert!(ws.fails(&["round", "close", &r, "--override"]).contains("reason"));
    assert!(ws.fails(&["round", "close", &r, "--reason", "why"]).contains("--override"));
    assert_eq!(revs(&r), 2, "only the open was written");
    assert_eq!(ws.json(&["list", "--kind", "friction"]).as_array().unwrap().len(), 1, "no child friction was made");
    assert!(ws.fails(&["round", "show", &lone]).contains("has no consent round"));
}

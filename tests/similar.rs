//! "Have we been here before?": the ranking rules of `similar` on small cases built by hand —
//! resolved frictions first among equals, identifiers found by their parts and whole, Swedish
//! word forms meeting, stack traces and logs left out — and the shared words that say why an
//! item matched.

use serde_json::Value;

use crate::util::Ws;

fn titles(r: &Value) -> Vec<String> {
    r["items"].as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap().to_string()).collect()
}

fn shared(r: &Value, title: &str) -> Vec<String> {
    let item = r["items"].as_array().unwrap().iter().find(|x| x["title"] == title).unwrap_or_else(|| panic!("{title} not in {r}"));
    item["shared"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_resolved_friction_comes_before_an_open_one_that_says_the_same() {
    let ws = Ws::new();
    let body = "Support wants a hotline for enterprise customers; Engineering wants fewer interruptions.";
    let open = ws.add("friction", "Hotline for enterprise customers", &["--body", body]);
    ws.add("friction", "Hotline for enterprise customers again", &["--body", body]);
    ws.add(
        "resolution",
        "Office hours instead of a hotline",
        &["--set", "decision=Two office hours a week", "--body", "resolves:: [[Hotline for enterprise customers again]]"],
    );
    ws.add("note", "Lunch menu", &["--body", "Soup on Mondays."]);
    let asked = ws.add("friction", "Enterprise customers want a hotline", &["--body", body]);

    let r = ws.json(&["similar", &asked]);
    let t = titles(&r);
    assert_eq!(t[0], "Hotline for enterprise customers again", "{t:?}");
    assert_eq!(r["items"][0]["group"], "precedent");
    assert_eq!(r["items"][0]["resolutions"][0]["decision"], "Two office hours a week");
    assert_eq!(t[1], "Hotline for enterprise customers", "{t:?}");
    assert_eq!(r["items"][1]["group"], "related");
    assert!(!t.contains(&"Lunch menu".to_string()), "{t:?}");
    // The same from the other side: the open one asked about still sees the resolved one first.
    let r = ws.json(&["similar", &open]);
    assert_eq!(titles(&r)[0], "Hotline for enterprise customers again");
    assert!(shared(&r, "Hotline for enterprise customers again").contains(&"hotline".to_string()));
}

#[test]
fn identifiers_are_found_by_their_parts_and_whole() {
    let ws = Ws::new();
    let class = ws.add(
        "signal",
        "AbstractSTestS3AHugeFiles times out on a slow link",
        &["--body", "Running AbstractSTestS3AHugeFiles against a bucket in another region never finishes."],
    );
    ws.add("signal", "Upload of huge files to S3A stalls", &["--body", "Huge files never finish uploading over S3A."]);
    ws.add("signal", "Dark mode for the settings page", &["--body", "The settings page is too bright at night."]);
    ws.add("signal", "Office network in the afternoon", &["--body", "The link is slow after lunch."]);
    let setting = ws.add(
        "signal",
        "Setting fs.s3a.delegation.token.binding is ignored",
        &["--body", "We set fs.s3a.delegation.token.binding and nothing changes."],
    );
    ws.add("signal", "No effect from fs.s3a.delegation.token.binding", &["--body", "Changing it does nothing."]);
    ws.add("signal", "Token expiry in the web app", &["--body", "A delegation of rights to the token service fails."]);

    let r = ws.json(&["similar", &class]);
    assert_eq!(titles(&r)[0], "Upload of huge files to S3A stalls", "{r}");
    let why = shared(&r, "Upload of huge files to S3A stalls");
    assert!(why.contains(&"huge".to_string()) && why.contains(&"files".to_string()), "{why:?}");

    let r = ws.json(&["similar", &setting]);
    assert_eq!(titles(&r)[0], "No effect from fs.s3a.delegation.token.binding", "{r}");
    assert!(shared(&r, "No effect from fs.s3a.delegation.token.binding").contains(&"fs.s3a.delegation.token.binding".to_string()));
    // The whole name is what tells them apart: the other token item shares only parts of it.
    assert!(!shared(&r, "Token expiry in the web app").contains(&"fs.s3a.delegation.token.binding".to_string()));

    // Searching finds a class by a word of its name, and a setting by its full name.
    let hits = ws.json(&["search", "huge"]);
    assert!(hits["hits"].as_array().unwrap().iter().any(|h| h["title"] == "AbstractSTestS3AHugeFiles times out on a slow link"), "{hits}");
    let hits = ws.json(&["search", "fs.s3a.delegation.token.binding"]);
    assert_eq!(hits["total"], 2, "{hits}");
}

#[test]
fn swedish_word_forms_meet() {
    let ws = Ws::new();
    let asked = ws.add("signal", "Leveransen till kunderna är försenad", &["--body", "Kunderna väntar på leveransen sedan i måndags."]);
    ws.add("signal", "Kunden klagar på sena leveranser", &["--body", "En kund skriver att leveranser alltid kommer sent."]);
    ws.add("signal", "Fakturan har fel belopp", &["--body", "Beloppet på fakturan stämmer inte med offerten."]);
    ws.add("signal", "Appen kraschar vid start", &["--body", "Appen stängs direkt när den startas."]);

    let r = ws.json(&["similar", &asked]);
    assert_eq!(titles(&r)[0], "Kunden klagar på sena leveranser", "{r}");
    let why = shared(&r, "Kunden klagar på sena leveranser");
    assert!(why.contains(&"leveransen".to_string()) && why.contains(&"kunderna".to_string()), "{why:?}");
}

#[test]
fn stack_traces_and_build_output_do_not_make_items_alike() {
    let ws = Ws::new();
    let trace = "at org.apache.hadoop.ipc.Client.call(Client.java:1476)\n\
                 at org.apache.hadoop.ipc.ProtobufRpcEngine.invoke(ProtobufRpcEngine.java:229)\n\
                 ... 12 more\n\
                 [INFO] BUILD FAILURE";
    let asked = ws.add("signal", "Balancer exits early when a datanode restarts", &["--body", &format!("The balancer stops.\n{trace}")]);
    ws.add("signal", "Balancer quits when a datanode goes away", &["--body", "The balancer exits early."]);
    ws.add("signal", "Quota report is wrong", &["--body", &format!("Counts are off.\n{trace}")]);
    ws.add("signal", "Editor loses the cursor", &["--body", &format!("Typing jumps.\n{trace}")]);

    let r = ws.json(&["similar", &asked]);
    assert_eq!(titles(&r)[0], "Balancer quits when a datanode goes away", "{r}");
    let terms: Vec<&str> = r["terms"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    for noise in ["protobufrpcengine", "client.java", "failure", "1476"] {
        assert!(!terms.contains(&noise), "{noise} in {terms:?}");
    }
    // The items that share only the trace are not found at all.
    assert!(!titles(&r).contains(&"Quota report is wrong".to_string()), "{r}");
}

use crate::util::Ws;

#[test]
fn placeholder_until_written() {
    let ws = Ws::new();
    ws.add("note", "First", &[]);
}

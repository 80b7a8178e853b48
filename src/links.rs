//! Links in Markdown bodies: `[[wikilinks]]` and typed links.
//!
//! The syntax (also in the README):
//! - `[[Title]]`, `[[Title|shown text]]`, `[[Title#Heading]]`, `[[Title#^block]]`, `[[folder/Title]]`,
//!   `[[Title.md]]` and embeds `![[Title]]` are `references` links; `\|` inside a table cell is a `|`.
//! - A typed link is a line whose text starts with a relation and `::`, like a Dataview inline field:
//!   `evidence:: [[Signal title]]`, `- resolves:: [[Friction A]], [[Friction B]]`. Every link on that
//!   line carries the relation. An unknown `key::` (say a Logseq `title::` property) is plain text,
//!   its links stay `references`.
//! - Links inside fenced code blocks and inline code spans are not links.
//!
//! The parser is linear in the length of the body, never panics, and knows nothing of storage.

use std::ops::Range;

use crate::model::Rel;

/// One link found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub rel: Rel,
    /// The target as written, without heading, alias, folder or `.md` (what is matched against titles).
    pub target: String,
    /// The folder part of `[[folder/Title]]`, if any.
    pub folder: Option<String>,
    pub heading: Option<String>,
    /// With a heading, or a folder split off at a `/` with a space beside it, the target as written
    /// (`Bug #4` in `[[Bug #4]]`, `path/ can fail` in `[[path/ can fail]]`): a title may hold a `#`
    /// or a `/`, and a link naming such a title whole goes to it rather than to a heading or folder.
    pub whole: Option<String>,
    pub alias: Option<String>,
    pub embed: bool,
    /// 1-based line number.
    pub line: usize,
    /// Byte range of `target` in the body, used to rewrite the link when its target is renamed.
    pub target_span: Range<usize>,
    /// Byte range of the whole link, `![[` … `]]` included.
    pub span: Range<usize>,
}

impl LinkRef {
    /// The text a reader sees for this link.
    pub fn display(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.target)
    }

    /// The target with its folder, `folder/Title` (what a stored [`crate::model::Link`] keeps).
    pub fn full_target(&self) -> String {
        match &self.folder {
            Some(f) => format!("{f}/{}", self.target),
            None => self.target.clone(),
        }
    }
}

/// Finds every link in `body`.
pub fn parse(body: &str) -> Vec<LinkRef> {
    let mut out = Vec::new();
    each_line_outside_code_blocks(body, |line, line_start, line_no| {
        let rel = typed_prefix(line).unwrap_or(Rel::References);
        scan_line(line, line_start, line_no, rel, &mut out);
    });
    out
}

/// Calls `f(line, byte offset of the line, 1-based line number)` for every line of `body` outside
/// fenced code blocks (line ends taken off; the fence lines themselves left out).
fn each_line_outside_code_blocks(body: &str, mut f: impl FnMut(&str, usize, usize)) {
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for (idx, raw_line) in body.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if let Some(m) = fence_marker(trimmed) {
            match fence {
                None => fence = Some(m),
                Some((c, n)) if m.0 == c && m.1 >= n && trimmed.trim_end().chars().all(|x| x == c) => fence = None,
                _ => {}
            }
            continue;
        }
        if fence.is_none() {
            f(line, line_start, idx + 1);
        }
    }
}

/// The opening of a fenced code block: three or more backticks or tildes.
fn fence_marker(trimmed: &str) -> Option<(char, usize)> {
    let c = trimmed.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// If the line is `rel:: …` (after an optional list or quote marker), the relation.
pub fn typed_prefix(line: &str) -> Option<Rel> {
    let mut s = line.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("> ").or_else(|| s.strip_prefix('>')) {
            s = rest.trim_start();
            continue;
        }
        if let Some(rest) = ["- ", "* ", "+ "].iter().find_map(|m| s.strip_prefix(m)) {
            s = rest.trim_start();
            continue;
        }
        let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && digits < 10 {
            if let Some(rest) = s[digits..].strip_prefix(". ") {
                s = rest.trim_start();
                continue;
            }
        }
        break;
    }
    let (key, _) = s.split_once("::")?;
    if key.is_empty() || key.len() > 40 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ') {
        return None;
    }
    key.parse().ok()
}

fn scan_line(line: &str, line_start: usize, line_no: usize, rel: Rel, out: &mut Vec<LinkRef>) {
    let code = code_spans(line);
    let bytes = line.as_bytes();
    let mut pos = 0;
    while pos < line.len() {
        let Some(close_rel) = line[pos..].find("]]") else { break };
        let close = pos + close_rel;
        let Some(open_rel) = line[pos..close].rfind("[[") else {
            pos = close + 2;
            continue;
        };
        let open = pos + open_rel;
        pos = close + 2;
        if code.iter().any(|r| r.contains(&open)) {
            continue;
        }
        let embed = open > 0 && bytes[open - 1] == b'!';
        let inner_start = open + 2;
        let inner = &line[inner_start..close];
        if let Some(link) = parse_inner(inner, line_start + inner_start, line_no, rel, embed) {
            let start = if embed { open - 1 } else { open };
            out.push(LinkRef { span: line_start + start..line_start + close + 2, ..link });
        }
    }
}

/// Byte ranges of inline code spans in a line.
fn code_spans(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    if !line.contains('`') {
        return spans;
    }
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|&&c| c == b'`').count();
        let start = i;
        let mut j = i + run;
        let mut closed = false;
        while j < b.len() {
            if b[j] == b'`' {
                let r = b[j..].iter().take_while(|&&c| c == b'`').count();
                if r == run {
                    spans.push(start..j + r);
                    i = j + r;
                    closed = true;
                    break;
                }
                j += r;
            } else {
                j += 1;
            }
        }
        if !closed {
            i = start + run;
        }
    }
    spans
}

fn parse_inner(inner: &str, abs_start: usize, line: usize, rel: Rel, embed: bool) -> Option<LinkRef> {
    // Split off the alias at the first `|` (`\|` in tables counts as `|`).
    let (target_part, alias) = match inner.find('|') {
        Some(i) => {
            let t = &inner[..i];
            let t = t.strip_suffix('\\').unwrap_or(t);
            (t, Some(inner[i + 1..].trim().to_string()).filter(|a| !a.is_empty()))
        }
        None => (inner, None),
    };
    let (path_part, heading) = match target_part.find('#') {
        Some(i) => (&target_part[..i], Some(target_part[i + 1..].trim().to_string()).filter(|h| !h.is_empty())),
        None => (target_part, None),
    };
    // A `/` ending the text is the title's own (`path has trailing /`), not a folder's.
    let (folder, name) = match path_part.rfind('/') {
        Some(i) if !path_part[i + 1..].trim().is_empty() => {
            (Some(path_part[..i].trim().to_string()).filter(|f| !f.is_empty()), &path_part[i + 1..])
        }
        _ => (None, path_part),
    };
    let name = name.strip_suffix(".md").unwrap_or(name);
    let lead = name.len() - name.trim_start().len();
    let target = name.trim();
    if target.is_empty() {
        return None;
    }
    // A title may hold a `#` (`[[Bug #4]]`) or a `/` with a space beside it (`[[path/ can fail]]`):
    // the target as written, whole, is kept when it reads otherwise as a heading or a folder.
    let written = path_part.trim();
    let split_apart = folder.as_deref().is_some_and(|f| format!("{f}/{target}") != written.strip_suffix(".md").unwrap_or(written));
    let whole = (heading.is_some() || split_apart).then(|| target_part.trim().to_string());
    let name_offset = (name.as_ptr() as usize - inner.as_ptr() as usize) + lead;
    let start = abs_start + name_offset;
    Some(LinkRef {
        rel,
        target: target.to_string(),
        folder,
        heading,
        whole,
        alias,
        embed,
        line,
        target_span: start..start + target.len(),
        span: 0..0,
    })
}

/// Rewrites link targets: `f` gets each link and returns the new target text, or `None` to keep it.
/// Headings, aliases and folders are kept.
pub fn rewrite_targets(body: &str, mut f: impl FnMut(&LinkRef) -> Option<String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut last = 0;
    for link in parse(body) {
        if let Some(new) = f(&link) {
            out.push_str(&body[last..link.target_span.start]);
            out.push_str(&new);
            last = link.target_span.end;
        }
    }
    out.push_str(&body[last..]);
    out
}

/// Removes the links for which `f` returns true. A typed-link line left with no link is removed
/// whole; a plain link in prose is replaced by the text a reader saw.
pub fn remove_links(body: &str, mut f: impl FnMut(&LinkRef) -> bool) -> (String, usize) {
    let links = parse(body);
    let doomed: Vec<&LinkRef> = links.iter().filter(|l| f(l)).collect();
    if doomed.is_empty() {
        return (body.to_string(), 0);
    }
    let mut out = String::with_capacity(body.len());
    let mut offset = 0;
    for (idx, raw_line) in body.split_inclusive('\n').enumerate() {
        let line_no = idx + 1;
        let line_start = offset;
        offset += raw_line.len();
        let here: Vec<&&LinkRef> = doomed.iter().filter(|l| l.line == line_no).collect();
        if here.is_empty() {
            out.push_str(raw_line);
            continue;
        }
        let typed = typed_prefix(raw_line).is_some();
        let all_on_line = links.iter().filter(|l| l.line == line_no).count();
        if typed && here.len() == all_on_line {
            continue; // the whole `rel:: [[…]]` line goes
        }
        let mut line = String::new();
        let mut last = 0;
        for l in &here {
            let s = l.span.start - line_start;
            let e = l.span.end - line_start;
            line.push_str(&raw_line[last..s]);
            if !typed {
                line.push_str(l.display());
            }
            last = e;
        }
        line.push_str(&raw_line[last..]);
        if typed {
            line = tidy_list(&line);
        }
        out.push_str(&line);
    }
    (out, doomed.len())
}

/// Tidies the separators left in `rel:: [[a]], , [[c]]` after removing links from it.
fn tidy_list(line: &str) -> String {
    let (end, nl) = match line.strip_suffix('\n') {
        Some(l) => (l, "\n"),
        None => (line, ""),
    };
    let Some((key, rest)) = end.split_once("::") else { return line.to_string() };
    let parts: Vec<&str> = rest.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    format!("{key}:: {}{nl}", parts.join(", "))
}

/// The line that records a typed link in a body, e.g. `evidence:: [[Signal title]]`. A title that
/// starts with `[` or ends with `]` (`[s3a] Flaky test`) is kept apart from the link's brackets by a
/// space, so the link reads back as that title.
pub fn typed_line(rel: Rel, title: &str) -> String {
    let lead = if title.starts_with('[') { " " } else { "" };
    let tail = if title.ends_with(']') { " " } else { "" };
    format!("{rel}:: [[{lead}{title}{tail}]]")
}

/// Appends a typed link line to a body, keeping a blank line before a block of link lines.
pub fn append_link(body: &str, rel: Rel, title: &str) -> String {
    let mut out = body.trim_end_matches(['\n', '\r']).to_string();
    if !out.is_empty() {
        let last_is_link = typed_prefix(out.rsplit('\n').next().unwrap_or("")).is_some();
        out.push('\n');
        if !last_is_link {
            out.push('\n');
        }
    }
    out.push_str(&typed_line(rel, title));
    out.push('\n');
    out
}

/// A link in a body that may name a file rather than an item: a wikilink or embed whose target
/// has a file extension other than `.md` (`![[chart.png]]`, `[[report.pdf]]`), or a Markdown link
/// or image to a relative path (`![alt](assets/chart.png)`, `[report](Files/report.pdf)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    /// The path as written, `%20` and the like decoded, `<…>` and a `"title"` taken off.
    pub target: String,
    pub embed: bool,
    /// Markdown syntax (`[…](…)`) rather than a wikilink.
    pub markdown: bool,
    /// 1-based line number.
    pub line: usize,
    /// Byte range of the whole link in the body.
    pub span: Range<usize>,
}

/// True when the last part of `target` ends in a file extension (letters and digits, 1–8 of
/// them, at least one letter) other than `.md`.
pub fn has_file_extension(target: &str) -> bool {
    let name = target.rsplit(['/', '\\']).next().unwrap_or(target);
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic())
                && !ext.eq_ignore_ascii_case("md")
        }
        None => false,
    }
}

/// Finds every link in `body` that may name a file (see [`FileLink`]), in body order; links in
/// code are not links. Linear in the length of the body.
pub fn file_links(body: &str) -> Vec<FileLink> {
    let mut out: Vec<FileLink> = parse(body)
        .into_iter()
        .filter(|l| has_file_extension(&l.full_target()))
        .map(|l| FileLink { target: l.full_target(), embed: l.embed, markdown: false, line: l.line, span: l.span })
        .collect();
    each_line_outside_code_blocks(body, |line, line_start, line_no| {
        if line.contains("](") {
            markdown_file_links(line, line_start, line_no, &mut out);
        }
    });
    out.sort_by_key(|l| l.span.start);
    out
}

/// The Markdown links and images of one line whose target is a relative path to a file.
fn markdown_file_links(line: &str, line_start: usize, line_no: usize, out: &mut Vec<FileLink>) {
    let code = code_spans(line);
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(at) = line[from..].find("](") {
        let mid = from + at;
        from = mid + 2;
        let Some(open) = line[..mid].rfind('[') else { continue };
        if code.iter().any(|r| r.contains(&open)) || (open > 0 && bytes[open - 1] == b'[') {
            continue;
        }
        // The target: `<…>`, or up to the `)` that balances the `(`.
        let rest = &line[mid + 2..];
        let (raw, len) = if let Some(r) = rest.strip_prefix('<') {
            match r.find('>') {
                Some(e) if r[e + 1..].starts_with(')') => (&r[..e], e + 3),
                _ => continue,
            }
        } else {
            let mut depth = 0usize;
            let mut end = None;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            match end {
                Some(e) => (&rest[..e], e + 1),
                None => continue,
            }
        };
        let mut target = raw.trim();
        if target.ends_with('"') {
            if let Some(q) = target[..target.len() - 1].rfind(" \"") {
                target = target[..q].trim_end();
            }
        }
        let lower = target.to_ascii_lowercase();
        if target.is_empty()
            || target.starts_with("[[")
            || target.starts_with('#')
            || lower.contains("://")
            || ["mailto:", "data:", "file:", "tel:"].iter().any(|p| lower.starts_with(p))
        {
            continue;
        }
        let target = target.split(['#', '?']).next().unwrap_or(target);
        let decoded =
            percent_encoding::percent_decode_str(target).decode_utf8().map(|c| c.into_owned()).unwrap_or_else(|_| target.to_string());
        if !has_file_extension(&decoded) {
            continue;
        }
        let embed = open > 0 && bytes[open - 1] == b'!';
        let start = if embed { open - 1 } else { open };
        from = mid + 2 + len;
        out.push(FileLink { target: decoded, embed, markdown: true, line: line_no, span: line_start + start..line_start + mid + 2 + len });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn targets(body: &str) -> Vec<(Rel, String)> {
        parse(body).into_iter().map(|l| (l.rel, l.target)).collect()
    }

    #[test]
    fn file_links_in_both_syntaxes() {
        let body = "![[Backlinks.png]] and [[report.pdf|the report]] and [[Pricing]] [[v2 notes.md]]\n\
                    ![shot](../assets/pages_one%20year_0.png){:height 560} [a](Files/a b.pdf \"A\") [web](https://x.org/a.png)\n\
                    `![no](x.png)` [[x]] [t]([[Page]]) ![](<with space.jpg>)\n```\n![[code.png]]\n```\n";
        let got: Vec<(String, bool, bool, usize)> = file_links(body).into_iter().map(|l| (l.target, l.embed, l.markdown, l.line)).collect();
        assert_eq!(
            got,
            vec![
                ("Backlinks.png".into(), true, false, 1),
                ("report.pdf".into(), false, false, 1),
                ("../assets/pages_one year_0.png".into(), true, true, 2),
                ("Files/a b.pdf".into(), false, true, 2),
                ("with space.jpg".into(), true, true, 3),
            ]
        );
        for l in file_links(body) {
            assert!(body[l.span.clone()].starts_with(if l.embed { "![" } else { "[" }), "{:?}", &body[l.span.clone()]);
            assert!(body[l.span.clone()].ends_with(if l.markdown { ")" } else { "]]" }));
        }
        assert!(
            has_file_extension("a/b.tar.gz")
                && !has_file_extension("v1.2")
                && !has_file_extension("Note.md")
                && !has_file_extension(".png")
        );
    }

    #[test]
    fn plain_alias_heading_embed_folder() {
        let ls = parse("See [[Pricing]] and [[Release date|the date]], ![[diagram.png]], [[Roadmap#Q3]] [[team/Anna.md]]");
        assert_eq!(ls.len(), 5);
        assert_eq!(ls[0].target, "Pricing");
        assert_eq!(ls[1].alias.as_deref(), Some("the date"));
        assert!(ls[2].embed);
        assert_eq!(ls[2].target, "diagram.png");
        assert_eq!(ls[3].heading.as_deref(), Some("Q3"));
        assert_eq!(ls[4].target, "Anna");
        assert_eq!(ls[4].folder.as_deref(), Some("team"));
    }

    #[test]
    fn a_typed_line_reads_back_as_its_title() {
        for t in [
            "Plain",
            "[s3a] Flaky test",
            "Names: [a, b]",
            "[x]",
            "path/ can fail",
            "Bug #4",
            "a/b",
            "encodes twice where path has trailing /",
        ] {
            let ls = parse(&typed_line(Rel::Evidence, t));
            assert_eq!(ls.len(), 1, "{t}");
            assert_eq!(ls[0].whole.clone().unwrap_or_else(|| ls[0].full_target()), t, "{t}");
        }
    }

    #[test]
    fn typed_lines() {
        let body = "Intro [[A]]\nevidence:: [[S1]], [[S2]]\n- resolves:: [[F]]\ntitle:: [[T]]\n> supports:: [[G]]";
        assert_eq!(
            targets(body),
            vec![
                (Rel::References, "A".into()),
                (Rel::Evidence, "S1".into()),
                (Rel::Evidence, "S2".into()),
                (Rel::Resolves, "F".into()),
                (Rel::References, "T".into()),
                (Rel::Supports, "G".into()),
            ]
        );
    }

    #[test]
    fn code_is_not_linked() {
        let body = "`[[no]]` [[yes]]\n```\n[[no2]]\n```\n~~~~\n[[no3]]\n~~~~\n[[yes2]]";
        assert_eq!(targets(body).into_iter().map(|t| t.1).collect::<Vec<_>>(), vec!["yes", "yes2"]);
    }

    #[test]
    fn table_pipe() {
        let ls = parse("| [[Note\\|shown]] | x |");
        assert_eq!(ls[0].target, "Note");
        assert_eq!(ls[0].alias.as_deref(), Some("shown"));
    }

    #[test]
    fn rewrite_keeps_heading_and_alias() {
        let body = "[[old title#Sec|here]] and ![[Old Title]] and [[Other]]";
        let out = rewrite_targets(body, |l| (l.target.to_lowercase() == "old title").then(|| "New".to_string()));
        assert_eq!(out, "[[New#Sec|here]] and ![[New]] and [[Other]]");
    }

    #[test]
    fn remove_typed_and_plain() {
        let body = "Prose [[A|the a]] here.\nevidence:: [[S1]], [[S2]]\nresolves:: [[F]]\n";
        let (out, n) = remove_links(body, |l| l.target == "S1" || l.target == "F" || l.target == "A");
        assert_eq!(n, 3);
        assert_eq!(out, "Prose the a here.\nevidence:: [[S2]]\n");
    }

    #[test]
    fn append() {
        assert_eq!(append_link("Body text", Rel::Evidence, "S"), "Body text\n\nevidence:: [[S]]\n");
        assert_eq!(append_link("evidence:: [[S]]\n", Rel::Evidence, "T"), "evidence:: [[S]]\nevidence:: [[T]]\n");
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_sound(body in "(\\PC|\n|\\[\\[|\\]\\]|\\||#|!|`|::|evidence)*") {
            for l in parse(&body) {
                prop_assert_eq!(&body[l.target_span.clone()], l.target.as_str());
                prop_assert!(body[l.span.clone()].ends_with("]]"));
            }
            let same = rewrite_targets(&body, |l| Some(l.target.clone()));
            prop_assert_eq!(same, body.clone());
            let _ = remove_links(&body, |_| true);
        }
    }
}

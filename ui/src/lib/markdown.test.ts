import { describe, expect, it } from "vitest";
import { isFileName, parseWikilink, renderMarkdown } from "./markdown";

function dom(html: string): HTMLElement {
  const d = document.createElement("div");
  d.innerHTML = html;
  return d;
}

describe("renderMarkdown", () => {
  it("turns [[links]] into inert anchors carrying their target", () => {
    const d = dom(renderMarkdown("See [[Release cadence|the cadence]] and [[Goal#Why]] and ![[Embed me]]."));
    const links = [...d.querySelectorAll("a.wikilink")];
    expect(links.map((a) => a.getAttribute("data-target"))).toEqual(["Release cadence", "Goal", "Embed me"]);
    expect(links[0]?.textContent).toBe("the cadence");
    expect(links[1]?.textContent).toBe("Goal › Why");
    expect(links[2]?.classList.contains("embed")).toBe(true);
  });

  it("marks typed links and leaves code alone", () => {
    const d = dom(renderMarkdown("evidence:: [[Signal A]]\n\n`[[not a link]]`\n\n```\n[[nor this]]\n```"));
    expect(d.querySelector(".rel-evidence")?.textContent).toBe("evidence");
    expect(d.querySelectorAll("a.wikilink")).toHaveLength(1);
    expect(d.textContent).toContain("[[not a link]]");
    expect(d.textContent).toContain("[[nor this]]");
  });

  it("strips scripts, event handlers, javascript: URLs, frames, forms and styles", () => {
    const hostile = [
      "<script>alert(1)</script>",
      '<img src="x" onerror="alert(2)">',
      "[x](javascript:alert(3))",
      '<a href="JaVaScRiPt:alert(4)" onclick="alert(5)">a</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<form action="https://evil.example"><input name="q"></form>',
      '<div style="background:url(https://evil.example/t.png)">s</div>',
      "<svg><script>alert(6)</script></svg>",
      '[[x" onmouseover="alert(7)]]',
    ].join("\n\n");
    const d = dom(renderMarkdown(hostile));
    for (const el of d.querySelectorAll("*")) {
      expect(["SCRIPT", "IFRAME", "FORM", "INPUT", "STYLE", "SVG"]).not.toContain(el.tagName.toUpperCase());
      for (const a of el.attributes) {
        expect(a.name.startsWith("on")).toBe(false);
        expect(a.name).not.toBe("style");
        expect(a.value).not.toMatch(/^\s*javascript:/i);
      }
    }
    // The crafted wikilink stays one attribute value, escaped.
    expect(d.querySelector("a.wikilink")?.getAttribute("data-target")).toBe('x" onmouseover="alert(7)');
  });

  it("never lets links open a new window", () => {
    const a = dom(renderMarkdown('<a href="https://example.com" target="_blank">out</a>')).querySelector("a");
    expect(a?.hasAttribute("target")).toBe(false);
    expect(a?.getAttribute("rel")).toBe("noopener noreferrer");
  });
});

describe("files in notes", () => {
  it("shows embedded pictures as images the window fills in, other files as chips", () => {
    const d = dom(
      renderMarkdown(
        "![[Whiteboard.png]] [[Q3 report.pdf]] ![[notes.pdf]] [[Release 1.2]]\n\n![shot](../assets/a%20b.png) [doc](Files/spec.docx) [web](https://x.org/a.pdf)",
      ),
    );
    const imgs = [...d.querySelectorAll("img")];
    expect(imgs.map((i) => i.getAttribute("data-attachment"))).toEqual(["Whiteboard.png", "../assets/a b.png"]);
    expect(imgs.every((i) => !i.hasAttribute("src") && i.classList.contains("attachment"))).toBe(true);
    const chips = [...d.querySelectorAll("a.file-chip")].map((a) => a.getAttribute("data-attachment"));
    expect(chips).toEqual(["Q3 report.pdf", "notes.pdf", "Files/spec.docx"]);
    expect(d.querySelector('a[data-target="Release 1.2"]')).not.toBeNull();
    expect(d.querySelector('a[href="https://x.org/a.pdf"]')?.classList.contains("file-chip")).toBe(false);
  });

  it("never loads a picture from a path or the network, and an svg is only ever an image", () => {
    const d = dom(renderMarkdown('<img src="https://evil.example/x.png"> <img src="/etc/passwd.png"> <svg><script>alert(1)</script></svg>'));
    expect([...d.querySelectorAll("img")].map((i) => i.getAttribute("src"))).toEqual([null, null]);
    expect(d.querySelector("svg")).toBeNull();
    expect(isFileName("a.tar.gz") && !isFileName("v1.2") && !isFileName("Note.md") && !isFileName(".png")).toBe(true);
  });
});

describe("parseWikilink", () => {
  it("reads target, heading and alias as Obsidian does", () => {
    expect(parseWikilink("A")).toEqual({ target: "A" });
    expect(parseWikilink(" A #H | shown ")).toEqual({ target: "A", heading: "H", alias: "shown" });
    expect(parseWikilink("folder/A|x")).toEqual({ target: "folder/A", alias: "x" });
  });
});

// Markdown preview: `[[wikilinks]]` and typed-link markers become inert anchors the window handles
// itself, and everything passes DOMPurify — note bodies come from teammates and imports and are
// untrusted. Rendering is pure (string in, sanitised HTML out).
import { Marked, type TokenizerAndRendererExtension } from "marked";
import DOMPurify from "dompurify";
import { RELS } from "./types";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** Splits the inside of `[[…]]` into target, heading and shown text, as Obsidian reads it. */
export function parseWikilink(inner: string): { target: string; heading?: string; alias?: string } {
  const [left = "", alias] = splitOnce(inner, "|");
  const [target = "", heading] = splitOnce(left, "#");
  const out: { target: string; heading?: string; alias?: string } = { target: target.trim() };
  if (heading !== undefined && heading.trim()) out.heading = heading.trim();
  if (alias !== undefined && alias.trim()) out.alias = alias.trim();
  return out;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** True when a link's target names a file by its extension (not a note): `chart.png`, `a/b.pdf`. */
export function isFileName(target: string): boolean {
  const name = target.split(/[/\\]/).pop() ?? "";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return false;
  const ext = name.slice(dot + 1);
  return /^[A-Za-z0-9]{1,8}$/.test(ext) && /[A-Za-z]/.test(ext) && ext.toLowerCase() !== "md";
}

const PICTURE = /\.(png|jpe?g|gif|webp|svg|bmp|avif|ico)$/i;

/** True when a file name is one the window shows as a picture. */
export function isPicture(target: string): boolean {
  return PICTURE.test(target);
}

/** A link's path as written in Markdown (`%20` decoded); the text itself when it does not decode. */
function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const wikilink: TokenizerAndRendererExtension = {
  name: "wikilink",
  level: "inline",
  start(src: string) {
    const i = src.search(/!?\[\[/);
    return i < 0 ? undefined : i;
  },
  tokenizer(src: string) {
    const m = /^(!?)\[\[([^\]\n]+?)\]\]/.exec(src);
    if (!m) return undefined;
    return { type: "wikilink", raw: m[0], embed: m[1] === "!", inner: m[2] ?? "" };
  },
  renderer(token) {
    const { target, heading, alias } = parseWikilink(String(token["inner"]));
    if (isFileName(target)) {
      // A file: a picture embedded is shown (its bytes asked for by the window), any other a chip.
      if (token["embed"] && isPicture(target)) {
        return `<img class="attachment" data-attachment="${escapeHtml(target)}" alt="${escapeHtml(alias ?? target)}">`;
      }
      return `<a href="#" class="file-chip" data-attachment="${escapeHtml(target)}">${escapeHtml(alias ?? target)}</a>`;
    }
    const shown = alias ?? (heading ? `${target} › ${heading}` : target);
    const cls = token["embed"] ? "wikilink embed" : "wikilink";
    return `<a href="#" class="${cls}" data-target="${escapeHtml(target)}">${escapeHtml(shown)}</a>`;
  },
};

const relPattern = new RegExp(`^(${RELS.join("|")})::`);
const typedRel: TokenizerAndRendererExtension = {
  name: "typedRel",
  level: "inline",
  start(src: string) {
    const m = new RegExp(`(?:${RELS.join("|")})::`).exec(src);
    return m ? m.index : undefined;
  },
  tokenizer(src: string) {
    const m = relPattern.exec(src);
    if (!m) return undefined;
    return { type: "typedRel", raw: m[0], rel: m[1] ?? "" };
  },
  renderer(token) {
    return `<span class="rel rel-${escapeHtml(String(token["rel"]))}">${escapeHtml(String(token["rel"]))}</span>`;
  },
};

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({ extensions: [wikilink, typedRel] });

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    // Links never navigate the window: the preview handles clicks itself.
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        node.removeAttribute("target");
        node.setAttribute("rel", "noopener noreferrer");
        // `[report](Files/report.pdf)`: a file of the workspace, opened by the window.
        const href = node.getAttribute("href") ?? "";
        if (href && !/^[a-z][a-z0-9+.-]*:|^#/i.test(href) && isFileName(href.split(/[?#]/)[0] ?? "")) {
          node.setAttribute("data-attachment", decodePath(href.split(/[?#]/)[0] ?? ""));
          node.setAttribute("href", "#");
          node.classList.add("file-chip");
        }
      }
      if (node.tagName === "IMG") {
        // `![alt](assets/chart.png)`: the window fills in the workspace's file; nothing is fetched
        // from a path or the network (the CSP forbids remote pictures anyway).
        const src = node.getAttribute("src") ?? "";
        if (!/^data:image\//i.test(src)) {
          node.removeAttribute("src");
          if (src && !/^[a-z][a-z0-9+.-]*:/i.test(src)) node.setAttribute("data-attachment", decodePath(src.split(/[?#]/)[0] ?? ""));
        }
        node.classList.add("attachment");
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    ADD_ATTR: ["data-target", "data-attachment"],
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed", "svg", "math"],
    FORBID_ATTR: ["style"],
    ALLOW_DATA_ATTR: false,
  });
}

/** Renders a note body to sanitised HTML. */
export function renderMarkdown(body: string): string {
  const html = marked.parse(body) as string;
  return purify(html);
}

/** A search snippet: the core escapes the text and marks matches with <b>; only <b> survives here. */
export function sanitizeSnippet(snippet: string): string {
  return DOMPurify.sanitize(snippet, { ALLOWED_TAGS: ["b"], ALLOWED_ATTR: [] });
}

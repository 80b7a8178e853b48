// Every word the window shows comes from the message catalogue (./i18n.ts), in Swedish and English:
// a .svelte file that writes user-visible text itself fails here. And every error code of the core
// is worded in both languages, with placeholders among the code's parameters (./bindings.ts).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { ERROR_CODES, ERROR_PARAMS } from "./bindings";
import { DICTIONARIES, errorText, type Key } from "./i18n";

/**
 * Text that is no language, so the catalogue need not hold it, each with why. Anything else with
 * a letter is language.
 */
const NOT_LANGUAGE: [RegExp, string][] = [
  [/^Mellanrum$/, "the product's name, the same in every language"],
  [/^(Ctrl|Alt|Shift)([+ ].*)?$/, "a key chord as the keys are labelled (Ctrl+N, Alt+T)"],
  [/^(Svenska|English)$/, "a language's name in that language, so a person finds their own whatever the window speaks"],
  [/^ms$/, "the unit symbol of milliseconds"],
  [/^n=$/, "a count's notation under a chart's bar (n=12), the same in both languages"],
  [/^hits\.hits\[\]\._source$/, "an example of the path syntax into a JSON file, which is code"],
];

/** User-visible attributes: what a person reads or hears (a screen reader reads aria-label). */
const SHOWN_ATTRIBUTES = ["title", "placeholder", "aria-label", "alt"];

const LETTER = /\p{L}/u;

/** The markup of a component: without its script and style blocks and its comments. */
function markup(source: string): string {
  return source
    .replace(/<script[\s\S]*?<\/script>/g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/<style[\s\S]*?<\/style>/g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, " "));
}

/** The end of the `{…}` expression starting at `i` (the index after its `}`), strings skipped. */
function braceEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"' || c === "'" || c === "`") {
      j = stringEnd(s, j) - 1;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return j + 1;
  }
  return s.length;
}

/** The index after the quoted attribute value opening at `i`, expressions inside it skipped. */
function quotedEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "{") j = braceEnd(s, j) - 1;
    else if (s[j] === s[i]) return j + 1;
  }
  return s.length;
}

/** The index after the string literal opening at `i`. */
function stringEnd(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (q === "`" && s[j] === "$" && s[j + 1] === "{") j = braceEnd(s, j + 1) - 1;
    else if (s[j] === q) return j + 1;
  }
  return s.length;
}

/**
 * The string literals of an expression that hold letters and are not a lookup: not the key of a
 * `t(…)` call (`app.t("close")`, `` app.t(`kind.${k}`) ``), not a catalogue key, not compared against.
 */
function wordsIn(expr: string, keys: Set<string>): string[] {
  const found: string[] = [];
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j];
    if (c !== '"' && c !== "'" && c !== "`") continue;
    const end = stringEnd(expr, j);
    const text = expr.slice(j + 1, end - 1).replace(/\$\{[\s\S]*?\}/g, " ");
    const before = expr.slice(0, j).trimEnd();
    const compared = /(===|!==|==|!=)$/.test(before) || /^\s*(===|!==|==|!=)/.test(expr.slice(end));
    const lookup = /\bt\($/.test(before);
    if (LETTER.test(text) && !keys.has(text) && !compared && !lookup && shown(text)) found.push(text.trim());
    j = end - 1;
  }
  return found;
}

/** The `{…}` expressions inside a quoted attribute value, without their braces. */
function expressions(value: string): string[] {
  const out: string[] = [];
  for (let i = value.indexOf("{"); i >= 0; i = value.indexOf("{", i)) {
    const end = braceEnd(value, i);
    out.push(value.slice(i + 1, end - 1));
    i = end;
  }
  return out;
}

function shown(text: string): boolean {
  const t = text.replace(/&[a-z]+;|&#\d+;/g, " ").trim();
  return LETTER.test(t) && !NOT_LANGUAGE.some(([re]) => re.test(t));
}

/**
 * The user-visible text in a component's markup that is not from the catalogue, as
 * `line: text`: literal text between tags, and the shown attributes (`title=`, `placeholder=`,
 * `aria-label=`, `alt=`) given as literal text or as a string in an expression (other than a
 * catalogue key, an identifier-like value or a value compared against).
 */
export function textOutsideCatalogue(source: string, keys: Set<string>): string[] {
  const s = markup(source);
  const out: string[] = [];
  const line = (i: number) => s.slice(0, i).split("\n").length;
  let i = 0;
  let text = "";
  let textAt = 0;
  const flush = () => {
    if (shown(text)) out.push(`${line(textAt)}: ${text.trim().replace(/\s+/g, " ")}`);
    text = "";
  };
  while (i < s.length) {
    const c = s[i];
    if (c === "{") {
      flush();
      i = braceEnd(s, i);
    } else if (c === "<" && /[a-zA-Z/!]/.test(s[i + 1] ?? "")) {
      flush();
      // A tag: its attributes, up to the `>` outside any expression or quoted value.
      let j = i + 1;
      while (j < s.length && s[j] !== ">") {
        if (s[j] === "{") {
          j = braceEnd(s, j);
          continue;
        }
        const attr = /^([\w:-]+)=(["'{])/.exec(s.slice(j));
        if (attr) {
          const name = attr[1] ?? "";
          const start = j + name.length + 1;
          const end = attr[2] === "{" ? braceEnd(s, start) : quotedEnd(s, start);
          if (SHOWN_ATTRIBUTES.includes(name)) {
            const at = line(j);
            const value = attr[2] === "{" ? s.slice(start, end) : s.slice(start + 1, end - 1);
            const exprs = expressions(value);
            const literal = exprs.reduce((v, e) => v.replace(`{${e}}`, " "), value);
            if (shown(literal)) out.push(`${at}: ${name}=${JSON.stringify(literal.trim())}`);
            for (const e of exprs) for (const w of wordsIn(e, keys)) out.push(`${at}: ${name}=${JSON.stringify(w)}`);
          }
          j = end;
          continue;
        }
        j++;
      }
      i = j + 1;
    } else {
      if (!text) textAt = i;
      text += c;
      i++;
    }
  }
  flush();
  return out;
}

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (name.endsWith(".svelte")) return [path];
    return name.includes(".") ? [] : svelteFiles(path);
  });
}

const KEYS = new Set(Object.keys(DICTIONARIES.en));

describe("the message catalogue", () => {
  it("the rule finds text outside the catalogue, and only that", () => {
    const sample = `<script lang="ts">const hidden = "Not markup";</script>
<h2>Settings</h2>
<p>{app.t("nav.settings")}</p>
<button title="Close" aria-label={app.t("close")}>×</button>
<input placeholder={open ? "Search everything" : app.t("close")} class="wide" />
<span>{n} / {m}</span>
{#if kind === "signal"}<em>{kind}</em>{/if}
<img alt="A map" src="x.png" />
<span title={\`Saved \${when}\`}>Mellanrum</span>
<!-- A comment is not shown -->
<style>.x::after { content: "Not markup either"; }</style>`;
    expect(textOutsideCatalogue(sample, KEYS)).toEqual([
      "2: Settings",
      '4: title="Close"',
      '5: placeholder="Search everything"',
      '8: alt="A map"',
      '9: title="Saved"',
    ]);
  });

  it("holds every word a component shows", () => {
    const files = svelteFiles("src");
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => textOutsideCatalogue(readFileSync(f, "utf8"), KEYS).map((t) => `${f}:${t}`));
    expect(found).toEqual([]);
  });

  it("words every error code of the core in both languages, with its parameters", () => {
    expect(ERROR_CODES.length).toBeGreaterThan(10);
    for (const code of ERROR_CODES) {
      const key = `error.${code}` as Key;
      const params = ERROR_PARAMS[code];
      for (const locale of ["sv", "en"] as const) {
        const text = DICTIONARIES[locale][key];
        expect(text, `${locale} ${key}`).toBeTruthy();
        for (const [, name] of text.matchAll(/\{(\w+)[}|]/g)) expect(params, `${locale} ${key} {${name}}`).toContain(name);
      }
    }
  });

  it("words a core error in the window's language, the shell's own message as it came", () => {
    const failure = { error: { code: "unknown_person", params: { name: "Nobody" } }, message: "unknown person 'Nobody'" };
    expect(errorText("sv", failure)).toBe("Okänd person 'Nobody'. Lägg till personen under Personer.");
    expect(errorText("en", failure)).toBe("Unknown person 'Nobody'. Add them under People.");
    const tooLarge = { error: { code: "too_large", params: { file: "big.png", size: "3 KB", limit: "2 KB" } }, message: "" };
    expect(errorText("sv", tooLarge)).toBe("big.png är större än gränsen på 2 KB per fil.");
    expect(errorText("sv", { error: { code: "not_found", params: "Ingenting" }, message: "" })).toContain("'Ingenting'");
    expect(errorText("sv", { error: null, message: "no workspace is open" })).toBe("no workspace is open");
    expect(errorText("en", "plain")).toBe("plain");
  });
});

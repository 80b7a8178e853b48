// The Node.js calls the unit tests make (they run in Node; the window never does).
declare module "node:fs" {
  export function readFileSync(path: string, encoding: "utf8"): string;
  export function readdirSync(path: string): string[];
}

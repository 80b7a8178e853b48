// Draws a large map's picture (edges under nodes) off the window's thread, into a pixel buffer
// that the window puts on its canvas in one step. See bigmap.ts.
import { disc, line, picture, type Picture } from "./raster";
import type { DrawReply, DrawRequest, MapScene } from "./bigmap";

let scene: MapScene | undefined;

self.onmessage = (e: MessageEvent<{ map: MapScene } | DrawRequest>) => {
  if ("map" in e.data) {
    scene = e.data.map;
    return;
  }
  const req = e.data;
  const started = performance.now();
  const { id, scene: of, width, height, zoom, pan, dpr } = req;
  let reply: DrawReply;
  try {
    const p = draw(req);
    reply = { id, scene: of, width, height, zoom, pan, dpr, pixels: p.data.buffer as ArrayBuffer, ms: performance.now() - started };
  } catch (err) {
    // Always an answer: the window waits for one before it asks for the next picture.
    reply = { id, scene: of, width, height, zoom, pan, dpr, pixels: new ArrayBuffer(0), ms: 0, error: String(err) };
  }
  (self as unknown as Worker).postMessage(reply, [reply.pixels]);
};

function draw(req: DrawRequest): Picture {
  const { width, height, zoom, pan } = req;
  const p = picture(width, height, req.bg);
  const s = scene;
  if (!s) return p;
  const { xy, radius, colour, ends, palette, edgeStyles } = s;
  for (let k = 0; k < ends.length; k += 3) {
    const a = 2 * (ends[k] ?? 0);
    const b = 2 * (ends[k + 1] ?? 0);
    const style = edgeStyles[ends[k + 2] ?? 0];
    if (!style) continue;
    line(p, (xy[a] ?? 0) * zoom + pan.x, (xy[a + 1] ?? 0) * zoom + pan.y, (xy[b] ?? 0) * zoom + pan.x, (xy[b + 1] ?? 0) * zoom + pan.y, style.colour, style.width * zoom);
  }
  for (let i = 0; i < radius.length; i++) {
    const c = palette[colour[i] ?? 0];
    if (c) disc(p, (xy[2 * i] ?? 0) * zoom + pan.x, (xy[2 * i + 1] ?? 0) * zoom + pan.y, (radius[i] ?? 0) * zoom, c);
  }
  return p;
}

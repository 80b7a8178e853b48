// BigMap's conversation with its drawing worker, with the worker played by the test: one picture
// asked for at a time, none of an older map put on screen for a newer one, a failed picture
// reported and not waited for.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BigMap, type BigNode, type DrawReply, type DrawRequest } from "./bigmap";

class FakeWorker {
  static last: FakeWorker | undefined;
  sent: unknown[] = [];
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor() {
    FakeWorker.last = this;
  }
  postMessage(m: unknown) {
    this.sent.push(m);
  }
  terminate() {}
  /** The draw requests received so far. */
  requests(): DrawRequest[] {
    return this.sent.filter((m): m is DrawRequest => typeof m === "object" && m !== null && "id" in m);
  }
  /** Answers a request as the real worker would. */
  answer(req: DrawRequest, error?: string) {
    const { bg: _bg, ...rest } = req;
    const reply: DrawReply = { ...rest, pixels: new ArrayBuffer(error ? 0 : req.width * req.height * 4), ms: 1, ...(error ? { error } : {}) };
    this.onmessage?.({ data: reply } as MessageEvent);
  }
}

class FakeImageData {
  constructor(
    public data: Uint8ClampedArray,
    public width: number,
    public height: number,
  ) {}
}

const node = (id: string, x: number, y: number): BigNode => ({ id, kind: "note", label: id, x, y, size: 10, degree: 1 });

describe("BigMap and its worker", () => {
  let drawn = 0;
  let failed: string[] = [];
  let map: BigMap;
  let worker: FakeWorker;

  beforeEach(() => {
    vi.stubGlobal("Worker", FakeWorker);
    vi.stubGlobal("ImageData", FakeImageData);
    vi.stubGlobal("ResizeObserver", class { observe() {} disconnect() {} });
    drawn = 0;
    failed = [];
    map = new BigMap({ label: "Map", open: () => {}, drawn: () => drawn++, failed: (m) => failed.push(m) });
    Object.defineProperty(map.element, "clientWidth", { value: 400 });
    Object.defineProperty(map.element, "clientHeight", { value: 300 });
    document.body.append(map.element);
    worker = FakeWorker.last as FakeWorker;
  });

  afterEach(() => {
    map.destroy();
    vi.unstubAllGlobals();
  });

  it("asks for one picture at a time, and for the view where it ended up once that one is in", () => {
    map.show([node("a", 0, 0), node("b", 100, 50)], [{ source: "a", target: "b", strong: false }]);
    expect(worker.requests()).toHaveLength(1);
    const first = worker.requests()[0] as DrawRequest;
    expect([first.width, first.height]).toEqual([400, 300]);
    // The view moves twice while the first picture is drawn: nothing more is asked for yet.
    map.element.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft" }));
    map.element.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft" }));
    expect(worker.requests()).toHaveLength(1);
    worker.answer(first);
    expect(drawn).toBe(1);
    // Then one request, for where the view is now: 160 px to the right of the first.
    expect(worker.requests()).toHaveLength(2);
    const second = worker.requests()[1] as DrawRequest;
    expect(second.pan.x - first.pan.x).toBeCloseTo(160);
    worker.answer(second);
    expect(drawn).toBe(2);
    expect(worker.requests()).toHaveLength(2);
  });

  it("never puts a picture of the map shown before on screen for a new one", () => {
    map.show([node("a", 0, 0)], []);
    const old = worker.requests()[0] as DrawRequest;
    map.show([node("x", 0, 0), node("y", 10, 10)], []);
    worker.answer(old);
    expect(drawn).toBe(0);
    const fresh = worker.requests()[worker.requests().length - 1] as DrawRequest;
    expect(fresh.scene).toBeGreaterThan(old.scene);
    worker.answer(fresh);
    expect(drawn).toBe(1);
  });

  it("reports a picture the worker could not draw, and asks again when the view changes", () => {
    map.show([node("a", 0, 0)], []);
    worker.answer(worker.requests()[0] as DrawRequest, "RangeError: out of memory");
    expect(failed).toEqual(["RangeError: out of memory"]);
    expect(drawn).toBe(0);
    map.element.dispatchEvent(new KeyboardEvent("keydown", { key: "+" }));
    expect(worker.requests()).toHaveLength(2);
  });

  it("leaves keys with Ctrl, Cmd or Alt to the window", () => {
    map.show([node("a", 0, 0)], []);
    worker.answer(worker.requests()[0] as DrawRequest);
    const e = new KeyboardEvent("keydown", { key: "0", altKey: true, cancelable: true });
    map.element.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
    expect(worker.requests()).toHaveLength(1);
  });
});

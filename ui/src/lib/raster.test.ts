import { describe, expect, it } from "vitest";
import { clip, disc, line, parseHex, picture, type Picture, type Rgba } from "./raster";

const white: Rgba = [255, 255, 255, 1];
const black: Rgba = [0, 0, 0, 1];

/** The red channel at (x, y): 255 is untouched background, lower is ink. */
function ink(p: Picture, x: number, y: number): number {
  return 255 - (p.data[(y * p.width + x) * 4] ?? 0);
}

describe("line", () => {
  it("inks the pixels along a horizontal line and nothing off it", () => {
    const p = picture(20, 10, white);
    // Coordinates are in pixels, a pixel's centre at +0.5 (as for discs): this line runs along row 5.
    line(p, 2.5, 5.5, 17.5, 5.5, black);
    for (let x = 2; x <= 17; x++) expect(ink(p, x, 5)).toBeGreaterThan(200);
    expect(ink(p, 10, 4) + ink(p, 10, 6)).toBeLessThan(30);
    expect(ink(p, 10, 1)).toBe(0);
    expect(ink(p, 0, 5)).toBe(0);
    expect(ink(p, 19, 5)).toBe(0);
  });

  it("draws steep and reversed lines as well as shallow ones", () => {
    const p = picture(10, 20, white);
    line(p, 4.5, 18.5, 4.5, 1.5, black);
    for (let y = 1; y <= 18; y++) expect(ink(p, 4, y)).toBeGreaterThan(200);
  });

  it("draws a thin line fainter and a wide one wider", () => {
    const thin = picture(20, 20, white);
    line(thin, 0.5, 10.5, 19.5, 10.5, black, 0.4);
    expect(ink(thin, 10, 10)).toBeLessThan(120);
    expect(ink(thin, 10, 10)).toBeGreaterThan(60);
    const wide = picture(20, 20, white);
    line(wide, 0.5, 10.5, 19.5, 10.5, black, 3);
    expect([9, 10, 11].every((y) => ink(wide, 10, y) > 100)).toBe(true);
  });

  it("blends a translucent colour over what is there", () => {
    const p = picture(10, 3, white);
    line(p, 0.5, 1.5, 9.5, 1.5, [0, 0, 0, 0.5]);
    expect(ink(p, 5, 1)).toBeGreaterThan(100);
    expect(ink(p, 5, 1)).toBeLessThan(150);
  });

  it("ignores a line entirely off the picture, and draws only the visible part of one crossing it", () => {
    const p = picture(10, 10, white);
    line(p, -100, -50, -20, -40, black);
    expect(p.data.every((v, i) => i % 4 === 3 || v === 255)).toBe(true);
    line(p, -1e6, 5.5, 1e6, 5.5, black);
    expect(ink(p, 0, 5)).toBeGreaterThan(200);
    expect(ink(p, 9, 5)).toBeGreaterThan(200);
  });
});

describe("clip", () => {
  it("keeps a segment inside the box, cuts one crossing it, and drops one outside", () => {
    expect(clip(1, 1, 5, 5, 0, 0, 10, 10)).toEqual([1, 1, 5, 5]);
    expect(clip(-10, 5, 20, 5, 0, 0, 10, 10)).toEqual([0, 5, 10, 5]);
    expect(clip(-10, -10, -5, 20, 0, 0, 10, 10)).toBeNull();
    // Passing a corner outside the box.
    expect(clip(-5, 8, 8, 21, 0, 0, 10, 10)).toBeNull();
  });
});

describe("disc", () => {
  it("fills the inside, leaves the outside, and softens the rim", () => {
    const p = picture(30, 30, white);
    disc(p, 15, 15, 6, black);
    expect(ink(p, 15, 15)).toBe(255);
    expect(ink(p, 15, 10)).toBe(255);
    expect(ink(p, 15, 23)).toBe(0);
    expect(ink(p, 2, 2)).toBe(0);
    const rim = ink(p, 19, 19); // 5.66 px from the centre: partly covered
    expect(rim).toBeGreaterThan(0);
    expect(rim).toBeLessThan(255);
  });

  it("draws a disc smaller than a pixel as one faint pixel", () => {
    const p = picture(5, 5, white);
    disc(p, 2.5, 2.5, 0.3, black);
    expect(ink(p, 2, 2)).toBeGreaterThan(50);
    expect(ink(p, 1, 2) + ink(p, 3, 2) + ink(p, 2, 1) + ink(p, 2, 3)).toBe(0);
  });
});

describe("parseHex", () => {
  it("reads the colour forms the map and the theme use", () => {
    expect(parseHex("#8884")).toEqual([136, 136, 136, 68 / 255]);
    expect(parseHex("#6f8cff88")).toEqual([111, 140, 255, 136 / 255]);
    expect(parseHex("#f7f7f5")).toEqual([247, 247, 245, 1]);
    expect(parseHex(" rgb(21, 23, 28) ")).toEqual([21, 23, 28, 1]);
    expect(parseHex("rgba(1, 2, 3, 0.5)")).toEqual([1, 2, 3, 0.5]);
    expect(parseHex("tomato")).toEqual([128, 128, 128, 1]);
  });
});

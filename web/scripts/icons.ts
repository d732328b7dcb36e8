/**
 * Draws the PWA's PNG icons (web/public/icon-192.png, icon-512.png) from the same shape as icon.svg, so
 * no image tool is needed. Full-bleed background with the mark inside the central 70%: the 512 px icon is
 * also the maskable one. Run: `npx tsx web/scripts/icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [0x0b, 0x12, 0x20];
const LINE: Rgb = [0x22, 0xc5, 0x5e];
const DOT: Rgb = [0x38, 0xbd, 0xf8];
// icon.svg's polyline on its 64-unit grid
const POINTS: ReadonlyArray<readonly [number, number]> = [
  [10, 46],
  [22, 34],
  [31, 40],
  [44, 22],
  [54, 16],
];

function distanceToSegment(
  px: number,
  py: number,
  a: readonly [number, number],
  b: readonly [number, number],
) {
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function draw(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  // grid units → pixels, mark scaled into the central 70% (maskable safe zone)
  const scale = (size * 0.7) / 64;
  const offset = size * 0.15;
  const half = 3 * scale;
  const dotRadius = 4 * scale;
  const last = POINTS[POINTS.length - 1] ?? [54, 16];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const gx = (x + 0.5 - offset) / scale;
      const gy = (y + 0.5 - offset) / scale;
      let distance = Number.POSITIVE_INFINITY;
      for (let i = 1; i < POINTS.length; i++) {
        const from = POINTS[i - 1];
        const to = POINTS[i];
        if (from && to) distance = Math.min(distance, distanceToSegment(gx, gy, from, to) * scale);
      }
      const line = Math.max(0, Math.min(1, half + 0.5 - distance));
      const dot = Math.max(0, Math.min(1, dotRadius + 0.5 - Math.hypot(gx - last[0], gy - last[1]) * scale));
      const index = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) {
        const base = (BACKGROUND[c] ?? 0) * (1 - line) + (LINE[c] ?? 0) * line;
        png.data[index + c] = Math.round(base * (1 - dot) + (DOT[c] ?? 0) * dot);
      }
      png.data[index + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

for (const size of [192, 512]) {
  writeFileSync(fileURLToPath(new URL(`../public/icon-${size}.png`, import.meta.url)), draw(size));
}

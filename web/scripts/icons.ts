import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

/**
 * Draws the app icon (web/public/icons): a red tile, a yellow star, a white identity card. The SVG
 * is written from the same shapes as the PNGs, which are rasterised here with 4×4 supersampling so
 * that no image tool is needed. Run `node bin/run-ts.js web/scripts/icons.ts` after a change.
 */

const OUT = path.join(import.meta.dirname, '..', 'public', 'icons');
const RED = [168, 32, 26] as const;
const YELLOW = [255, 205, 0] as const;
const WHITE = [255, 255, 255] as const;

type Rgb = readonly [number, number, number];
type Shape = { inside(x: number, y: number): boolean; colour: Rgb };

function roundedRect(x: number, y: number, w: number, h: number, r: number, colour: Rgb): Shape {
  return {
    colour,
    inside(px, py) {
      if (px < x || px > x + w || py < y || py > y + h) return false;
      const dx = Math.max(x + r - px, 0, px - (x + w - r));
      const dy = Math.max(y + r - py, 0, py - (y + h - r));
      return dx * dx + dy * dy <= r * r;
    },
  };
}

function starPoints(cx: number, cy: number, outer: number, inner: number): [number, number][] {
  return Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
  });
}

function polygon(points: [number, number][], colour: Rgb): Shape {
  return {
    colour,
    inside(px, py) {
      let inside = false;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i]!;
        const [xj, yj] = points[j]!;
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    },
  };
}

/** The shapes on a 512-unit square; `full` fills the square (maskable icons are cropped by the OS). */
function shapes(full: boolean): Shape[] {
  const star = starPoints(256, 178, 100, 40);
  return [
    full ? roundedRect(0, 0, 512, 512, 0, RED) : roundedRect(0, 0, 512, 512, 96, RED),
    polygon(star, YELLOW),
    roundedRect(104, 304, 304, 124, 20, WHITE),
    roundedRect(136, 336, 140, 18, 9, RED),
    roundedRect(136, 376, 240, 18, 9, RED),
  ];
}

function svg(): string {
  const star = starPoints(256, 178, 100, 40)
    .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<rect width="512" height="512" rx="96" fill="#a8201a"/>
<polygon points="${star}" fill="#ffcd00"/>
<rect x="104" y="304" width="304" height="124" rx="20" fill="#fff"/>
<rect x="136" y="336" width="140" height="18" rx="9" fill="#a8201a"/>
<rect x="136" y="376" width="240" height="18" rx="9" fill="#a8201a"/>
</svg>
`;
}

function png(size: number, options: { full: boolean; scale: number }): Buffer {
  const image = new PNG({ width: size, height: size });
  const list = shapes(options.full);
  const unit = 512 / size;
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          // Maskable icons keep their drawing inside the central safe zone (scale < 1).
          const u = ((x + (sx + 0.5) / samples) * unit - 256) / options.scale + 256;
          const v = ((y + (sy + 0.5) / samples) * unit - 256) / options.scale + 256;
          const background = options.full ? list[0]! : undefined;
          const hit = [...list].reverse().find((s) => s.inside(u, v)) ?? background;
          if (!hit) continue;
          sum[0]! += hit.colour[0];
          sum[1]! += hit.colour[1];
          sum[2]! += hit.colour[2];
          sum[3]! += 255;
        }
      }
      const n = samples * samples;
      const i = (y * size + x) * 4;
      const alpha = sum[3]! / n;
      const cover = sum[3]! / 255 || 1;
      image.data[i] = Math.round(sum[0]! / cover);
      image.data[i + 1] = Math.round(sum[1]! / cover);
      image.data[i + 2] = Math.round(sum[2]! / cover);
      image.data[i + 3] = Math.round(alpha);
    }
  }
  return PNG.sync.write(image);
}

writeFileSync(path.join(OUT, 'icon.svg'), svg());
writeFileSync(path.join(OUT, 'icon-192.png'), png(192, { full: false, scale: 1 }));
writeFileSync(path.join(OUT, 'icon-512.png'), png(512, { full: false, scale: 1 }));
writeFileSync(path.join(OUT, 'icon-maskable-512.png'), png(512, { full: true, scale: 0.8 }));
console.log(`icons written to ${OUT}`);

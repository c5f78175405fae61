import { describe, expect, it } from 'vitest';
import type { RgbImage } from './image.ts';
import { alignedChip, exposure, faceGeometry, padSignal, PAD_NOTE, sharpness, type Point } from './quality.ts';

/** A schematic frontal face: jaw arc, eyes, nose, mouth (iBUG 68 indices), 100 px between the eyes. */
function frontal(noseShift = 0): Point[] {
  const p: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI * (i / 16);
    p[i] = { x: 200 - 110 * Math.cos(a), y: 200 + 120 * Math.sin(a) - 20 };
  }
  for (let i = 17; i <= 26; i++) p[i] = { x: 120 + (i - 17) * 18, y: 130 };
  for (let i = 27; i <= 30; i++) p[i] = { x: 200 + noseShift * ((i - 26) / 4), y: 160 + (i - 27) * 15 };
  for (let i = 31; i <= 35; i++) p[i] = { x: 185 + (i - 31) * 7.5 + noseShift * 0.6, y: 215 };
  for (let i = 36; i <= 41; i++)
    p[i] = { x: 150 + 10 * Math.cos((i - 36) * (Math.PI / 3)), y: 160 + 5 * Math.sin((i - 36) * (Math.PI / 3)) };
  for (let i = 42; i <= 47; i++)
    p[i] = { x: 250 + 10 * Math.cos((i - 42) * (Math.PI / 3)), y: 160 + 5 * Math.sin((i - 42) * (Math.PI / 3)) };
  for (let i = 48; i <= 67; i++)
    p[i] = { x: 200 + 30 * Math.cos((i - 48) * (Math.PI / 10)), y: 260 + 8 * Math.sin((i - 48) * (Math.PI / 10)) };
  return p;
}

function rotate(points: Point[], degrees: number, about: Point = { x: 200, y: 200 }): Point[] {
  const a = (degrees * Math.PI) / 180;
  return points.map((p) => ({
    x: about.x + (p.x - about.x) * Math.cos(a) - (p.y - about.y) * Math.sin(a),
    y: about.y + (p.x - about.x) * Math.sin(a) + (p.y - about.y) * Math.cos(a),
  }));
}

function noise(size: number, seed: number, grey = false): RgbImage {
  const data = new Uint8Array(size * size * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = 60 + (s % 120);
    if (grey && i % 3 === 2) data[i] = data[i - 1] = data[i - 2] = data[i]!;
  }
  return { width: size, height: size, data };
}

function boxBlur(img: RgbImage, r: number): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const xx = Math.min(img.width - 1, Math.max(0, x + dx));
            const yy = Math.min(img.height - 1, Math.max(0, y + dy));
            sum += img.data[(yy * img.width + xx) * 3 + c]!;
            n++;
          }
        }
        out[(y * img.width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { ...img, data: out };
}

describe('face geometry from landmarks', () => {
  it('measures the eye distance, and reads a frontal face as level and straight', () => {
    const g = faceGeometry(frontal());
    expect(g.eyeDistance).toBeCloseTo(100, 6);
    expect(g.roll).toBeCloseTo(0, 6);
    expect(Math.abs(g.yaw)).toBeLessThan(1);
  });

  it('reads the tilt of the eye line as roll, whatever the yaw', () => {
    expect(faceGeometry(rotate(frontal(), 20)).roll).toBeCloseTo(20, 6);
    expect(faceGeometry(rotate(frontal(), -35)).roll).toBeCloseTo(-35, 6);
    expect(Math.abs(faceGeometry(rotate(frontal(), 25)).yaw)).toBeLessThan(1);
  });

  it('estimates yaw from where the nose sits between the sides of the jaw', () => {
    const right = faceGeometry(frontal(60));
    const left = faceGeometry(frontal(-60));
    expect(right.yaw).toBeGreaterThan(20);
    expect(left.yaw).toBeLessThan(-20);
    expect(faceGeometry(rotate(frontal(60), 15)).yaw).toBeCloseTo(right.yaw, 6);
    expect(() => faceGeometry(frontal().slice(0, 5))).toThrow(RangeError);
  });
});

describe('aligned chip and image measures', () => {
  it('levels a tilted face: the same chip whatever the roll', () => {
    const img = noise(400, 7);
    const level = alignedChip(img, faceGeometry(frontal()));
    expect([level.width, level.height]).toEqual([150, 150]);
    const unlevel = alignedChip(img, faceGeometry(rotate(frontal(), 30)), { level: false });
    // rotating the landmarks and leveling samples a rotated window: different pixels than unlevelled
    expect(
      Buffer.from(unlevel.data).equals(Buffer.from(alignedChip(img, faceGeometry(rotate(frontal(), 30))).data)),
    ).toBe(false);
  });

  it('sharpness drops with blur', () => {
    const sharp = noise(150, 3);
    const s0 = sharpness(sharp);
    const s2 = sharpness(boxBlur(sharp, 2));
    expect(s0).toBeGreaterThan(1000);
    expect(s2).toBeLessThan(s0 / 20);
  });

  it('exposure reports mean brightness and clipped shares', () => {
    const dark = { width: 150, height: 150, data: new Uint8Array(150 * 150 * 3).fill(5) };
    expect(exposure(dark)).toEqual({ mean: expect.closeTo(5, 3), dark: 1, bright: 0 });
    const bright = { ...dark, data: new Uint8Array(dark.data.length).fill(250) };
    expect(exposure(bright)).toMatchObject({ dark: 0, bright: 1 });
  });

  it('pad_signal is a weak cue with its note: a colourless face and a periodic pattern raise it', () => {
    const geometry = faceGeometry(frontal());
    const colour = noise(400, 11);
    const smooth = boxBlur(colour, 1);
    const base = padSignal(smooth, geometry, alignedChip(smooth, geometry));
    expect(base.note).toBe(PAD_NOTE);
    expect(base.note).toMatch(/not liveness/);
    expect(base.score).toBe(0);
    const grey = boxBlur(noise(400, 11, true), 1);
    expect(padSignal(grey, geometry, alignedChip(grey, geometry)).cues.saturation).toBe(0);
    expect(padSignal(grey, geometry, alignedChip(grey, geometry)).score).toBe(1);
    // a screen-like grating over the face
    const moire = { ...smooth, data: Uint8Array.from(smooth.data) };
    for (let y = 0; y < 400; y++) {
      for (let x = 0; x < 400; x++) {
        const v = 25 * Math.sin((2 * Math.PI * (0.8 * x + 0.6 * y)) / 3);
        for (let c = 0; c < 3; c++) {
          const i = (y * 400 + x) * 3 + c;
          moire.data[i] = Math.max(0, Math.min(255, moire.data[i]! + v));
        }
      }
    }
    const signal = padSignal(moire, geometry, alignedChip(moire, geometry));
    expect(signal.cues.moire).toBeGreaterThan(40);
    expect(signal.score).toBe(1);
  });
});

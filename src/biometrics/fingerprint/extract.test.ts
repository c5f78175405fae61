import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { ImageFormatError } from './errors.ts';
import { extractDetailed, extractMinutiae, type ExtractionDetails } from './extract.ts';
import { parseIsoTemplate } from './iso19794-2.ts';
import { TWO_PI, type GrayImage } from './model.ts';
import { decodeTiff } from './tiff.ts';

const db2 = path.join(biometricsDataDir(), 'fingerprints', 'fvc2002-db2-b');
const load = (name: string) => decodeTiff(readFileSync(path.join(db2, `${name}.tif`)));

describe('minutiae extraction', () => {
  let details: ExtractionDetails;
  let image: GrayImage;
  beforeAll(() => {
    image = load('101_1');
    details = extractDetailed(image, { dpi: 569 });
  });

  it('finds a plausible number of minutiae, inside the segmented print', () => {
    const { template, mask } = details;
    expect(template.minutiae.length).toBeGreaterThanOrEqual(20);
    expect(template.minutiae.length).toBeLessThanOrEqual(120);
    expect(details.candidates).toBeGreaterThan(template.minutiae.length);
    for (const m of template.minutiae) {
      expect(Number.isInteger(m.x) && Number.isInteger(m.y)).toBe(true);
      expect(mask[m.y * image.width + m.x]).toBe(1);
      expect(m.angle).toBeGreaterThanOrEqual(0);
      expect(m.angle).toBeLessThan(TWO_PI);
      expect(['ending', 'bifurcation']).toContain(m.type);
      expect(m.quality).toBeGreaterThanOrEqual(1);
      expect(m.quality).toBeLessThanOrEqual(100);
    }
    const area = mask.reduce((a, b) => a + b, 0) / mask.length;
    expect(area).toBeGreaterThan(0.4);
    expect(area).toBeLessThan(0.95);
  });

  it('states the geometry of the image in the template', () => {
    expect(details.template).toMatchObject({ width: 296, height: 560, resolutionX: 224, resolutionY: 224 });
    // ridges of an adult finger are 0.4–0.55 mm apart: 9–12 pixels at 569 dpi
    expect(details.ridgePeriod).toBeGreaterThan(8);
    expect(details.ridgePeriod).toBeLessThan(12.5);
  });

  it('agrees with an independent extractor: most SecuGen minutiae of the same image are found', () => {
    // the shared .iso was extracted by the SecuGen SDK from this image resized to 300x400
    const reference = parseIsoTemplate(readFileSync(path.join(db2, '101_1.iso')));
    const sx = 296 / 300;
    const sy = 560 / 400;
    let found = 0;
    let sameDirection = 0;
    for (const r of reference.minutiae) {
      const x = r.x * sx;
      const y = r.y * sy;
      const near = details.template.minutiae.find((m) => Math.hypot(m.x - x, m.y - y) < 10);
      if (!near) continue;
      found++;
      const ra = Math.atan2(Math.sin(r.angle) * sy, Math.cos(r.angle) * sx);
      const d = Math.abs(((near.angle - ra) % TWO_PI) + TWO_PI) % TWO_PI;
      if (Math.min(d, TWO_PI - d) < Math.PI / 4) sameDirection++;
    }
    expect(found / reference.minutiae.length).toBeGreaterThan(0.7);
    // same angle convention (ISO: counter-clockwise, ending pointing along its ridge)
    expect(sameDirection / found).toBeGreaterThan(0.85);
  });

  it('finds nothing in a blank image, and refuses bad input', () => {
    const blank: GrayImage = { width: 200, height: 200, data: new Uint8Array(200 * 200).fill(230) };
    expect(extractMinutiae(blank).minutiae).toEqual([]);
    expect(() => extractMinutiae({ width: 20, height: 20, data: new Uint8Array(400) })).toThrow(ImageFormatError);
    expect(() => extractMinutiae({ width: 100, height: 100, data: new Uint8Array(99) })).toThrow(ImageFormatError);
    expect(() => extractMinutiae(image, { dpi: 72 })).toThrow(RangeError);
  });

  it('is deterministic', () => {
    expect(extractMinutiae(image, { dpi: 569 })).toEqual(details.template);
  });
});

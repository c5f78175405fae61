import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Platform } from '../platform/context.ts';
import { biometricsDataDir } from './evaluation/samples.ts';
import { FaceTemplate } from './face/template.ts';
import { parseIsoTemplate } from './fingerprint/iso19794-2.ts';
import { readFingerCapture } from './fingerprint/verifier.ts';
import type { Subject } from './model.ts';
import { BiometricReferences, sealContext, templateBytes } from './references.ts';
import { carriesBytes } from './testing.ts';

/**
 * The reference store over a real database: templates go in sealed and come out whole; the
 * column holds no template bytes; a sealed value opens only in its own row.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-12-06T02:00:00Z');
let platform: Platform;
let store: BiometricReferences;

const an: Subject = { kind: 'citizen', registryId: '1' };
const binh: Subject = { kind: 'citizen', registryId: '2' };
const kim: Subject = { kind: 'foreigner', registryId: '1' };
const fingers = path.join(biometricsDataDir(), 'fingerprints', 'fvc2002-db2-b');
const isoRecord = readFileSync(path.join(fingers, '101_1.iso'));
const faceTemplate = FaceTemplate.fromDescriptor(Float32Array.from({ length: 128 }, (_, i) => Math.sin(i + 0.5) / 7));

const rawRows = async () =>
  (
    await sql<{
      registry_id: string;
      subject_kind: string;
      modality: string;
      finger: number;
      sealed_template: string;
    }>`select * from biometrics.reference_templates order by subject_kind, registry_id, modality, finger`.execute(t.db)
  ).rows;

beforeAll(() => {
  platform = testPlatform(t.db, { clock });
  store = new BiometricReferences(platform.db, platform.secrets, clock);
});

describe('BiometricReferences, sealed at rest', () => {
  it('stores and opens a finger’s ISO/IEC 19794-2 template and a face template', async () => {
    const finger = parseIsoTemplate(isoRecord);
    expect(await store.put(an, { modality: 'fingerprint', finger: 2, template: finger }, { engine: 'test 1' })).toBe(
      true,
    );
    const stored = await store.get(an, { modality: 'fingerprint', finger: 2 });
    expect(stored).toEqual({ template: finger, engine: 'test 1', createdAt: clock.now() });
    expect(await store.get(an, { modality: 'fingerprint', finger: 3 })).toBeNull();
    expect(await store.get(kim, { modality: 'fingerprint', finger: 2 })).toBeNull();

    // an extracted template (fractional coordinates) comes back as whole pixels, same minutiae
    const extracted = readFingerCapture(readFileSync(path.join(fingers, '101_2.tif')));
    if (!extracted.ok) throw new Error(extracted.quality);
    await store.put(an, { modality: 'fingerprint', finger: 7, template: extracted.template }, { engine: 'test 1' });
    const back = (await store.get(an, { modality: 'fingerprint', finger: 7 }))!.template;
    expect(back.minutiae).toHaveLength(extracted.template.minutiae.length);
    back.minutiae.forEach((m, i) => {
      expect(Math.abs(m.x - extracted.template.minutiae[i]!.x)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(m.y - extracted.template.minutiae[i]!.y)).toBeLessThanOrEqual(0.5);
    });

    expect(await store.put(an, { modality: 'face', template: faceTemplate }, { engine: 'face-api 1.7.15' })).toBe(true);
    const face = (await store.get(an, { modality: 'face' }))!;
    expect(face.template).toBeInstanceOf(FaceTemplate);
    expect(face.template.distanceTo(faceTemplate)).toBe(0);
    expect(face.engine).toBe('face-api 1.7.15');
  });

  it('enrols once: a second put keeps the first template unless told to replace it', async () => {
    const other = parseIsoTemplate(readFileSync(path.join(fingers, '102_1.iso')));
    const first = (await store.get(an, { modality: 'fingerprint', finger: 2 }))!.template;
    expect(await store.put(an, { modality: 'fingerprint', finger: 2, template: other }, { engine: 'test 2' })).toBe(
      false,
    );
    expect((await store.get(an, { modality: 'fingerprint', finger: 2 }))!.template).toEqual(first);
    expect(
      await store.put(an, { modality: 'fingerprint', finger: 2, template: other }, { engine: 'test 2', replace: true }),
    ).toBe(true);
    expect(await store.get(an, { modality: 'fingerprint', finger: 2 })).toMatchObject({
      template: other,
      engine: 'test 2',
    });
  });

  it('answers has() for the face, one finger or any finger, and lists the fingers on record', async () => {
    expect(await store.has(an, { modality: 'face' })).toBe(true);
    expect(await store.has(an, { modality: 'fingerprint' })).toBe(true);
    expect(await store.has(an, { modality: 'fingerprint', finger: 7 })).toBe(true);
    expect(await store.has(an, { modality: 'fingerprint', finger: 8 })).toBe(false);
    expect(await store.has(binh, { modality: 'face' })).toBe(false);
    expect(await store.has(kim, { modality: 'fingerprint' })).toBe(false);
    expect(await store.fingersOf(an)).toEqual([2, 7]);
    await expect(
      store.put(binh, { modality: 'fingerprint', finger: 11, template: parseIsoTemplate(isoRecord) }, { engine: 't' }),
    ).rejects.toThrow(RangeError);
    await expect(store.get(binh, { modality: 'fingerprint', finger: 0 })).rejects.toThrow(RangeError);
  });

  it('keeps no template bytes in the column (ISO record, face floats), only the sealed value', async () => {
    const rows = await rawRows();
    expect(rows.map((r) => `${r.modality}/${r.finger}`)).toEqual(['face/0', 'fingerprint/2', 'fingerprint/7']);
    const finger2 = parseIsoTemplate(readFileSync(path.join(fingers, '102_1.iso')));
    const iso = templateBytes({ modality: 'fingerprint', finger: 2, template: finger2 });
    const column = rows.map((r) => r.sealed_template).join('\n');
    // the checks work: the bytes are found where they are
    expect(carriesBytes(iso.toString('base64'), iso, 28)).toBe(true);
    expect(carriesBytes(`x${iso.toString('hex')}`, iso, 30)).toBe(true);
    expect(faceTemplate.occursIn(faceTemplate.sealableBytes().toString('base64'))).toBe(true);
    for (const from of [0, 28, 40, 100]) expect(carriesBytes(column, iso, from)).toBe(false);
    expect(faceTemplate.occursIn(column)).toBe(false);
    expect(column).not.toContain('FMR');
    for (const r of rows) expect(r.sealed_template).toMatch(/^v1\.test\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('opens a sealed value only in its own row: other subject, finger or modality fails', async () => {
    const [face, finger2] = await rawRows();
    const sealed = finger2!.sealed_template;
    expect(() => platform.secrets.open(sealed, sealContext(an, 'fingerprint', 2))).not.toThrow();
    expect(() => platform.secrets.open(sealed, sealContext(an, 'fingerprint', 7))).toThrow();
    expect(() => platform.secrets.open(sealed, sealContext(binh, 'fingerprint', 2))).toThrow();
    expect(() => platform.secrets.open(sealed, sealContext(kim, 'fingerprint', 2))).toThrow();
    expect(() => platform.secrets.open(face!.sealed_template, sealContext(an, 'fingerprint', 0))).toThrow();
    // a sealed value copied into another row does not open there
    await store.put(
      binh,
      { modality: 'fingerprint', finger: 2, template: parseIsoTemplate(isoRecord) },
      { engine: 't' },
    );
    await sql`update biometrics.reference_templates set sealed_template = ${sealed}
      where registry_id = '2' and modality = 'fingerprint' and finger = 2`.execute(t.db);
    await expect(store.get(binh, { modality: 'fingerprint', finger: 2 })).rejects.toThrow();
  });

  it('refuses a row whose finger does not fit its modality, or an unsealed value', async () => {
    const insert = (modality: string, finger: number, sealedTemplate: string) =>
      sql`
      insert into biometrics.reference_templates values
        ('citizen', '3', ${modality}, ${finger}, ${sealedTemplate}, 'engine', now())`.execute(t.db);
    await expect(insert('face', 2, 'v1.x')).rejects.toThrow(/finger_of_modality/);
    await expect(insert('fingerprint', 0, 'v1.x')).rejects.toThrow(/finger_of_modality/);
    await expect(insert('fingerprint', 1, isoRecord.toString('base64'))).rejects.toThrow(/check constraint/);
  });
});

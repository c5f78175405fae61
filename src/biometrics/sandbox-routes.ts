import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { SandboxVerifier } from '../issuance/sandbox-verifier.ts';
import { platformProblem } from '../platform/errors.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import { biometricsDataDir } from './evaluation/samples.ts';
import type { BiometricsService } from './service.ts';

/**
 * Sandbox only (mounted with the sandbox pages, never in production): which labelled sample
 * images stand for a sandbox person, so a tester or a browser journey can upload a face or
 * fingerprints the real matchers accept (genuine: another capture of the person, passing the
 * capture checks) or refuse (impostor: someone else's). The files come from ../shared/data/biometrics;
 * only files of the sample index are served.
 */
export function sandboxBiometricsRoutes(deps: {
  registries: NationalRegistries;
  biometrics: BiometricsService | null;
}): FastifyPluginAsync {
  const root = path.resolve(biometricsDataDir());
  const sandbox = new SandboxVerifier(deps.registries, root);
  const known = new Set<string>();
  const urlOf = (file: string) => {
    known.add(path.resolve(file));
    return `/sandbox/biometrics/files/${path.relative(root, file).split(path.sep).map(encodeURIComponent).join('/')}`;
  };

  async function samplesFor(registryId: string) {
    const biometrics = deps.biometrics;
    const sandboxRefs = biometrics?.sandbox;
    // The first passing face stands for the portrait on record; a genuine capture is another one.
    const faces = sandboxRefs
      ? (await sandboxRefs.faces.samplesPassing(registryId, await biometrics.face.warmUp())).slice(1)
      : sandbox.samplesOf('face', registryId).slice(1);
    const fingers = sandboxRefs
      ? await sandboxRefs.fingers.samplesPassing(registryId)
      : sandbox.samplesOf('fingerprint', registryId).slice(1);
    return {
      face: { genuine: faces.map(urlOf), impostor: sandbox.impostorSamples('face', registryId).map(urlOf) },
      fingerprints: {
        genuine: fingers.map(urlOf),
        impostor: sandbox.impostorSamples('fingerprint', registryId).slice(1).map(urlOf),
      },
    };
  }

  return async (app) => {
    app.get<{ Params: { pin: string } }>('/sandbox/biometrics/:pin', async (request) => {
      const { pin } = request.params;
      if (!/^\d{12}$/.test(pin)) {
        throw platformProblem('VALIDATION_FAILED', { reason: 'the PIN has 12 digits' }, { field: 'pin' });
      }
      const citizen = await deps.registries.identity.findByPin(pin);
      if (!citizen) throw platformProblem('NOT_FOUND', { what: 'citizen' });
      if (sandbox.identityOf('face', citizen.registryId) === null) {
        throw platformProblem('SERVICE_UNAVAILABLE', { reason: 'no shared biometric samples beside the repository' });
      }
      return { pin, ...(await samplesFor(citizen.registryId)) };
    });

    app.get<{ Params: { '*': string } }>('/sandbox/biometrics/files/*', async (request, reply) => {
      const file = path.resolve(root, decodeURIComponent(request.params['*']));
      if (!file.startsWith(root + path.sep) || !known.has(file)) throw platformProblem('NOT_FOUND', { what: 'sample' });
      const type = file.endsWith('.png') ? 'image/png' : file.endsWith('.tif') ? 'image/tiff' : 'image/jpeg';
      return reply
        .type(type)
        .header('cache-control', 'no-store')
        .send(await readFile(file));
    });
  };
}

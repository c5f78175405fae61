import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { networkOf } from '../auth/model.ts';
import type { AuthService } from '../auth/service.ts';
import { localeOf } from '../http/problem.ts';
import { Base64Image, CAPTURE_BODY_LIMIT, image } from '../issuance/routes.ts';
import type { Problem } from '../platform/errors.ts';
import { FaceExtractor, type FaceCapture } from './face/extract.ts';
import { isFaceProblem, qualityCodeOf, type FaceProblemCode } from './face/problems.ts';
import { PAD_NOTE } from './face/quality.ts';
import type { BiometricsService } from './service.ts';

/** Checks per address and minute: a phone camera preview checks a frame every second or two. */
export const FACE_CHECK_RATE = { max: 60, windowMs: 60_000, lockMs: 60_000 } as const;

/** Problems that mean "no usable file" (answered as 4xx), rather than "retake the photo". */
const UNREADABLE: readonly string[] = ['FACE_NOT_AN_IMAGE', 'FACE_IMAGE_TRUNCATED', 'FACE_IMAGE_TOO_LARGE'];

const QualityItem = Type.Object({
  code: Type.String({
    description: 'The retake reason: no_face, multiple_faces, face_too_small, pose, blur, exposure',
  }),
  message: Type.String({ description: "What to change, in the caller's language" }),
});

/**
 * `POST /api/v1/public/biometrics/face-check`: the capture checks of a face photo before it is
 * sent with an application (one face, size, pose, blur, exposure), so the app tells the person
 * what to change while the camera is still open. Nothing is stored or compared: no reference is
 * read, no template leaves the process. The presentation-attack cue is returned as what it is, a
 * weak signal that never decides.
 */
export function biometricsRoutes(deps: {
  biometrics: BiometricsService | null;
  auth: Pick<AuthService, 'limitRate'>;
}): FastifyPluginAsync {
  // Without the matchers (no shared samples), the capture checks still need the face networks.
  let standalone: Promise<FaceExtractor> | undefined;
  const extractor = (): Promise<FaceExtractor> =>
    deps.biometrics
      ? deps.biometrics.face.warmUp()
      : (standalone ??= FaceExtractor.create().then(async (e) => {
          await e.warmUp();
          return e;
        }));

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/v1/public/biometrics/face-check',
      {
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['biometrics'],
          summary: 'Check a face photo before sending it: one face, size, pose, blur, exposure (nothing stored)',
          body: Type.Object({ image: Base64Image('The photo (JPEG or PNG)') }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              acceptable: Type.Boolean(),
              quality: Type.Array(QualityItem),
              presentation_attack_signal: Type.Object({
                score: Type.Number({ minimum: 0, maximum: 1 }),
                note: Type.String(),
              }),
            }),
            ...Object.fromEntries([400, 413, 415, 429].map((c) => [c, { $ref: 'Problem' }])),
          },
        },
      },
      async (request) => {
        await deps.auth.limitRate(`face-check:${networkOf(request.ip)}`, FACE_CHECK_RATE);
        const locale = localeOf(request);
        const item = (p: Problem & { code: FaceProblemCode }) => ({
          code: qualityCodeOf(p),
          message: p.messageIn(locale),
        });
        let capture: FaceCapture;
        try {
          capture = await (await extractor()).analyse(image(request.body.image)!);
        } catch (error) {
          if (!isFaceProblem(error) || UNREADABLE.includes(error.code)) throw error;
          return {
            acceptable: false,
            quality: [item(error)],
            presentation_attack_signal: { score: 0, note: PAD_NOTE },
          };
        }
        const quality = capture.problems.filter(isFaceProblem).map(item);
        return {
          acceptable: quality.length === 0,
          quality,
          presentation_attack_signal: {
            score: Math.round(capture.measurements.padSignal.score * 100) / 100,
            note: PAD_NOTE,
          },
        };
      },
    );
  };
}

import { defineProblems, Problem } from '../../platform/errors.ts';

/**
 * Why a face capture cannot be used, as problems (RFC 9457, 4xx): the HTTP layer renders them in
 * the caller's language, so the applicant learns what to change before retaking the photo. The
 * same reasons travel through the verification port as `quality` codes of a `poor_quality`
 * result (`FACE_QUALITY_CODES`).
 */
export const faceProblem = defineProblems({
  FACE_NOT_AN_IMAGE: {
    status: 415,
    vi: 'Tệp gửi lên không phải ảnh JPEG hoặc PNG đọc được: {reason}',
    en: 'The upload is not a readable JPEG or PNG image: {reason}',
  },
  FACE_IMAGE_TRUNCATED: {
    status: 400,
    vi: 'Ảnh bị cắt cụt (tệp không đầy đủ): {reason}. Vui lòng gửi lại.',
    en: 'The image is truncated (the file is incomplete): {reason}. Send it again.',
  },
  FACE_IMAGE_TOO_LARGE: {
    status: 413,
    vi: 'Ảnh quá lớn ({megapixels} megapixel, tối đa {limit}).',
    en: 'The image is too large ({megapixels} megapixels, at most {limit}).',
  },
  FACE_NOT_FOUND: {
    status: 422,
    vi: 'Không tìm thấy khuôn mặt trong ảnh. Hãy chụp lại, nhìn thẳng vào máy ảnh, đủ ánh sáng.',
    en: 'No face was found in the image. Take the photo again, looking at the camera, in good light.',
  },
  FACE_MULTIPLE: {
    status: 422,
    vi: 'Ảnh có {count} khuôn mặt. Chỉ một người được có mặt trong ảnh.',
    en: 'The image shows {count} faces. Only one person may be in the photo.',
  },
  FACE_TOO_SMALL: {
    status: 422,
    vi: 'Khuôn mặt quá nhỏ (khoảng cách hai mắt {eyes} điểm ảnh, cần ít nhất {min}). Hãy đưa máy ảnh lại gần hơn.',
    en: 'The face is too small ({eyes} pixels between the eyes, at least {min} needed). Move the camera closer.',
  },
  FACE_POSE: {
    status: 422,
    vi: 'Khuôn mặt không nhìn thẳng (quay {yaw}°, nghiêng {roll}°). Hãy nhìn thẳng vào máy ảnh, giữ đầu thẳng.',
    en: 'The face is not frontal (turned {yaw}°, tilted {roll}°). Look straight at the camera and keep your head level.',
  },
  FACE_BLURRED: {
    status: 422,
    vi: 'Ảnh khuôn mặt bị mờ (độ nét {sharpness}, cần ít nhất {min}). Hãy giữ yên máy ảnh và chụp lại.',
    en: 'The face is blurred (sharpness {sharpness}, at least {min} needed). Hold the camera still and try again.',
  },
  FACE_TOO_DARK: {
    status: 422,
    vi: 'Khuôn mặt quá tối (độ sáng trung bình {mean}/255, {clipped}% điểm ảnh bị mất chi tiết). Hãy chụp lại ở nơi đủ sáng.',
    en: 'The face is too dark (mean brightness {mean}/255, {clipped}% of pixels clipped). Take the photo again in better light.',
  },
  FACE_TOO_BRIGHT: {
    status: 422,
    vi: 'Khuôn mặt bị chói sáng (độ sáng trung bình {mean}/255, {clipped}% điểm ảnh bị mất chi tiết). Hãy tránh nguồn sáng mạnh chiếu thẳng.',
    en: 'The face is overexposed (mean brightness {mean}/255, {clipped}% of pixels clipped). Avoid strong direct light.',
  },
});

export type FaceProblemCode = Parameters<typeof faceProblem>[0];

/** The `quality` code a port result carries for each problem (the retake reason). */
export const FACE_QUALITY_CODES = {
  FACE_NOT_AN_IMAGE: 'not_an_image',
  FACE_IMAGE_TRUNCATED: 'truncated_image',
  FACE_IMAGE_TOO_LARGE: 'image_too_large',
  FACE_NOT_FOUND: 'no_face',
  FACE_MULTIPLE: 'multiple_faces',
  FACE_TOO_SMALL: 'face_too_small',
  FACE_POSE: 'pose',
  FACE_BLURRED: 'blur',
  FACE_TOO_DARK: 'exposure',
  FACE_TOO_BRIGHT: 'exposure',
} as const satisfies Record<FaceProblemCode, string>;

export type FaceQualityCode = (typeof FACE_QUALITY_CODES)[FaceProblemCode];

export function isFaceProblem(error: unknown): error is Problem & { code: FaceProblemCode } {
  return error instanceof Problem && error.code in FACE_QUALITY_CODES;
}

/** The retake reason of a face problem, e.g. `no_face`. */
export function qualityCodeOf(problem: Problem & { code: FaceProblemCode }): FaceQualityCode {
  return FACE_QUALITY_CODES[problem.code];
}

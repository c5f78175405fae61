/**
 * From capture bytes to a face template: decode → detect → 68 landmarks → level, dlib-framed
 * 150x150 chip → 128-number descriptor, with the capture-quality checks on the way. Unusable
 * captures throw a face problem (4xx with the reason); quality shortfalls are listed on the result
 * (`problems`) so a caller can refuse (`extract`) or just report them (`analyse`).
 */
import type { Problem } from '../../platform/errors.ts';
import { decodeImage, downscale, pad, type DecodeOptions, type RgbImage } from './image.ts';
import { faceProblem, type FaceProblemCode } from './problems.ts';
import {
  alignedChip,
  exposure,
  faceGeometry,
  padSignal,
  sharpness,
  type Exposure,
  type PadSignal,
  type Point,
} from './quality.ts';
import { loadFaceRuntime, type FaceRuntime } from './runtime.ts';
import { FaceTemplate } from './template.ts';

export interface FaceQualityLimits {
  /** Least distance between the eye centres, pixels of the original image. */
  minEyeDistance: number;
  /** Largest |yaw| estimate and |roll|, degrees. */
  maxYaw: number;
  maxRoll: number;
  /** Least variance of the Laplacian on the chip's inner face. */
  minSharpness: number;
  /** Mean luma of the inner face must lie in [min, max]; at most `maxClipped` crushed or blown. */
  minBrightness: number;
  maxBrightness: number;
  maxClipped: number;
}

/**
 * Set on the shared samples (docs/biometrics-face.md): they pass except half-profiles and one
 * blurred LFW image; the test's blurred, darkened and tiny captures do not.
 */
export const DEFAULT_LIMITS: FaceQualityLimits = {
  minEyeDistance: 24,
  maxYaw: 35,
  maxRoll: 30,
  minSharpness: 15,
  minBrightness: 40,
  maxBrightness: 225,
  maxClipped: 0.25,
};

export interface FaceExtractorOptions extends DecodeOptions {
  /** Largest TinyFaceDetector input size (multiple of 32; default 320; smaller images use less). */
  tinyInputSize?: number;
  /** Least detection confidence (default 0.5). */
  minDetectionScore?: number;
  /** A second face counts when its box is at least this share of the largest one's width (default 0.5). */
  secondFaceRatio?: number;
  /** Photos are reduced to this longer side before detection (default 1024). */
  maxWorkingSide?: number;
  /** Margin added around an image where no face is found at first (× the longer side; default 0.4). */
  padFraction?: number;
  /** Try SSD MobileNet v1 on the padded image when TinyFaceDetector finds nothing (default true). */
  ssdFallback?: boolean;
  limits?: Partial<FaceQualityLimits>;
  /** 'refuse' (default): a second face of comparable size is a retake; 'largest': describe the largest (evaluation). */
  multipleFaces?: 'refuse' | 'largest';
  /** 'level' (default): chip rotated so the eyes are level; 'faceapi': face-api's own unrotated crop. */
  alignment?: 'level' | 'faceapi';
}

export interface FaceMeasurements {
  width: number;
  height: number;
  /** How the face was found. */
  detector: 'tiny' | 'tiny-padded' | 'ssd-padded';
  detectionScore: number;
  /** Faces of comparable size found (1 for a usable capture). */
  faces: number;
  /** Pixels between the eye centres in the original image. */
  eyeDistance: number;
  yaw: number;
  roll: number;
  sharpness: number;
  exposure: Exposure;
  padSignal: PadSignal;
}

export interface FaceTimings {
  decodeMs: number;
  detectMs: number;
  landmarksMs: number;
  alignMs: number;
  descriptorMs: number;
  totalMs: number;
}

export interface FaceCapture {
  template: FaceTemplate;
  measurements: FaceMeasurements;
  /** Quality shortfalls (retake reasons); empty for a good capture. */
  problems: Problem[];
  timings: FaceTimings;
}

interface Detection {
  box: { x: number; y: number; width: number; height: number };
  score: number;
}

export class FaceExtractor {
  readonly limits: FaceQualityLimits;

  private constructor(
    readonly runtime: FaceRuntime,
    private readonly options: FaceExtractorOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Loads the models (once per process) and returns an extractor. */
  static async create(options: FaceExtractorOptions = {}): Promise<FaceExtractor> {
    return new FaceExtractor(await loadFaceRuntime(), options);
  }

  /**
   * Runs each network once on a blank input, so the first real capture does not pay for the
   * WASM kernels' first use (about 2 s once per process). Returns the time it took.
   */
  async warmUp(): Promise<number> {
    const { faceapi, tf } = this.runtime;
    const started = performance.now();
    const blank = (size: number) => tf.zeros([size, size, 3], 'int32');
    const inputs = [blank(this.options.tinyInputSize ?? 320), blank(224), blank(112), blank(150)];
    try {
      await faceapi.nets.tinyFaceDetector.locateFaces(
        inputs[0] as never,
        new faceapi.TinyFaceDetectorOptions({ inputSize: this.options.tinyInputSize ?? 320 }),
      );
      await faceapi.nets.tinyFaceDetector.locateFaces(
        inputs[1] as never,
        new faceapi.TinyFaceDetectorOptions({ inputSize: 224 }),
      );
      await faceapi.nets.ssdMobilenetv1.locateFaces(inputs[1] as never, new faceapi.SsdMobilenetv1Options());
      await faceapi.nets.faceLandmark68Net.detectLandmarks(inputs[2] as never);
      await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(inputs[3] as never);
    } finally {
      for (const t of inputs) t.dispose();
    }
    return performance.now() - started;
  }

  /** Like `analyse`, and also refuses a capture with a quality shortfall (the first one thrown). */
  async extract(bytes: Uint8Array): Promise<FaceCapture> {
    const capture = await this.analyse(bytes);
    if (capture.problems.length > 0) throw capture.problems[0]!;
    return capture;
  }

  /**
   * Template and measurements of a capture. Throws a face problem when there is nothing to
   * measure (not an image, truncated, too large, no face, several faces, a face too small to
   * describe); lists the other shortfalls in `problems`.
   */
  async analyse(bytes: Uint8Array): Promise<FaceCapture> {
    const t0 = performance.now();
    const image = decodeImage(bytes, this.options);
    const decodeMs = performance.now() - t0;
    return this.analyseImage(image, decodeMs, t0);
  }

  async analyseImage(original: RgbImage, decodeMs = 0, t0 = performance.now()): Promise<FaceCapture> {
    const { faceapi, tf } = this.runtime;
    const limits = this.limits;
    const { image, scale } = downscale(original, this.options.maxWorkingSide ?? 1024);
    const tDetect = performance.now();
    const found = await this.detect(image);
    const detectMs = performance.now() - tDetect;
    if (!found) {
      // a picture too small to hold a face of the required size says so rather than "no face"
      const side = Math.min(original.width, original.height);
      if (side < limits.minEyeDistance * 3) {
        throw faceProblem('FACE_TOO_SMALL', { eyes: `< ${Math.round(side / 3)}`, min: limits.minEyeDistance });
      }
      throw faceProblem('FACE_NOT_FOUND');
    }
    const { detections, source, offset } = found;
    const largest = detections.reduce((a, b) => (b.box.width > a.box.width ? b : a));
    const ratio = this.options.secondFaceRatio ?? 0.5;
    // other faces of comparable size; boxes mostly inside the chosen one are the same face again
    const comparable = detections.filter(
      (d) => d === largest || (d.box.width >= ratio * largest.box.width && overlap(d.box, largest.box) < 0.5),
    );
    if (comparable.length > 1 && this.options.multipleFaces !== 'largest') {
      throw faceProblem('FACE_MULTIPLE', { count: comparable.length });
    }

    const tLandmarks = performance.now();
    const landmarks = await this.landmarks(source, largest);
    // back to the working image's coordinates (the padded margin removed)
    const points: Point[] = landmarks.map((p) => ({ x: p.x - offset, y: p.y - offset }));
    const landmarksMs = performance.now() - tLandmarks;

    const tAlign = performance.now();
    const geometry = faceGeometry(points);
    const eyeDistance = geometry.eyeDistance / scale;
    if (eyeDistance < limits.minEyeDistance) {
      throw faceProblem('FACE_TOO_SMALL', { eyes: Math.round(eyeDistance), min: limits.minEyeDistance });
    }
    const chip = alignedChip(image, geometry, { level: this.options.alignment !== 'faceapi' });
    const measurements: FaceMeasurements = {
      width: original.width,
      height: original.height,
      detector: found.detector,
      detectionScore: largest.score,
      faces: comparable.length,
      eyeDistance,
      yaw: geometry.yaw,
      roll: geometry.roll,
      sharpness: sharpness(chip),
      exposure: exposure(chip),
      padSignal: padSignal(image, geometry, chip),
    };
    const problems = qualityProblems(measurements, limits);
    const alignMs = performance.now() - tAlign;

    const tDescriptor = performance.now();
    const input = tf.tensor3d(chip.data, [chip.height, chip.width, 3], 'int32');
    let descriptor: Float32Array;
    try {
      descriptor = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input as never)) as Float32Array;
    } finally {
      input.dispose();
    }
    const descriptorMs = performance.now() - tDescriptor;
    return {
      template: FaceTemplate.fromDescriptor(descriptor),
      measurements,
      problems,
      timings: { decodeMs, detectMs, landmarksMs, alignMs, descriptorMs, totalMs: performance.now() - t0 },
    };
  }

  /**
   * Faces in the image; if none, in the image with a margin added (tight crops), trying
   * TinyFaceDetector at the input size that fits the image, then at 224, then SSD MobileNet v1.
   */
  private async detect(
    image: RgbImage,
  ): Promise<
    { detections: Detection[]; source: RgbImage; offset: number; detector: FaceMeasurements['detector'] } | undefined
  > {
    const { faceapi } = this.runtime;
    const minScore = this.options.minDetectionScore ?? 0.5;
    const tiny = (target: RgbImage, inputSize: number) =>
      this.run(target, (t) =>
        faceapi.nets.tinyFaceDetector.locateFaces(
          t as never,
          new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }),
        ),
      );
    let detections = await tiny(image, this.inputSize(image));
    if (detections.length) return { detections, source: image, offset: 0, detector: 'tiny' };
    const padded = pad(image, this.options.padFraction ?? 0.4);
    const size = this.inputSize(padded.image);
    for (const inputSize of size === 224 ? [224] : [size, 224]) {
      detections = await tiny(padded.image, inputSize);
      if (detections.length) {
        return { detections, source: padded.image, offset: padded.offset, detector: 'tiny-padded' };
      }
    }
    if (this.options.ssdFallback === false) return undefined;
    const ssd = new faceapi.SsdMobilenetv1Options({ minConfidence: minScore });
    detections = await this.run(padded.image, (t) => faceapi.nets.ssdMobilenetv1.locateFaces(t as never, ssd));
    if (detections.length) return { detections, source: padded.image, offset: padded.offset, detector: 'ssd-padded' };
    return undefined;
  }

  /** TinyFaceDetector input: the image's longer side rounded up to 32, between 160 and the configured size. */
  private inputSize(image: RgbImage): number {
    const configured = this.options.tinyInputSize ?? 320;
    return Math.min(configured, Math.max(160, Math.ceil(Math.max(image.width, image.height) / 32) * 32));
  }

  private async run(
    image: RgbImage,
    detect: (t: unknown) => Promise<Array<{ box: Detection['box']; score: number }>>,
  ): Promise<Detection[]> {
    const tensor = this.runtime.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const found = await detect(tensor);
      return found.map((d) => ({
        box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height },
        score: d.score,
      }));
    } finally {
      tensor.dispose();
    }
  }

  /** 68 landmarks of one face, in the coordinates of `image`. */
  private async landmarks(image: RgbImage, face: Detection): Promise<Point[]> {
    const { faceapi, tf } = this.runtime;
    const x = Math.max(0, Math.floor(face.box.x));
    const y = Math.max(0, Math.floor(face.box.y));
    const width = Math.min(image.width, Math.ceil(face.box.x + face.box.width)) - x;
    const height = Math.min(image.height, Math.ceil(face.box.y + face.box.height)) - y;
    const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    let crop: { dispose(): void } | undefined;
    try {
      [crop] = (await faceapi.extractFaceTensors(tensor as never, [new faceapi.Rect(x, y, width, height)])) as Array<{
        dispose(): void;
      }>;
      const marks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(crop as never)) as {
        positions: Array<{ x: number; y: number }>;
      };
      return marks.positions.map((p) => ({ x: p.x + x, y: p.y + y }));
    } finally {
      tensor.dispose();
      crop?.dispose();
    }
  }
}

/** Share of the smaller box that lies inside the other. */
function overlap(a: Detection['box'], b: Detection['box']): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

function qualityProblems(m: FaceMeasurements, limits: FaceQualityLimits): Problem[] {
  const problems: Problem[] = [];
  const add = (code: FaceProblemCode, params: Record<string, string | number>) =>
    problems.push(faceProblem(code, params, { detail: { measurements: summary(m) } }));
  if (Math.abs(m.yaw) > limits.maxYaw || Math.abs(m.roll) > limits.maxRoll) {
    add('FACE_POSE', { yaw: Math.round(Math.abs(m.yaw)), roll: Math.round(Math.abs(m.roll)) });
  }
  if (m.sharpness < limits.minSharpness) {
    add('FACE_BLURRED', { sharpness: Math.round(m.sharpness), min: limits.minSharpness });
  }
  const clipped = Math.round((m.exposure.dark + m.exposure.bright) * 100);
  if (m.exposure.mean < limits.minBrightness || m.exposure.dark > limits.maxClipped) {
    add('FACE_TOO_DARK', { mean: Math.round(m.exposure.mean), clipped });
  } else if (m.exposure.mean > limits.maxBrightness || m.exposure.bright > limits.maxClipped) {
    add('FACE_TOO_BRIGHT', { mean: Math.round(m.exposure.mean), clipped });
  }
  return problems;
}

/** The measurements a caller may see (numbers about the capture, nothing of the template). */
export function summary(m: FaceMeasurements): Record<string, number | string> {
  return {
    eyeDistance: Math.round(m.eyeDistance),
    yaw: Math.round(m.yaw),
    roll: Math.round(m.roll),
    sharpness: Math.round(m.sharpness),
    brightness: Math.round(m.exposure.mean),
    padSignal: Math.round(m.padSignal.score * 100) / 100,
  };
}

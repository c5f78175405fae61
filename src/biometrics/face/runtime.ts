/**
 * The face models, in-process: `@vladmandic/face-api` 1.7.15 (its Node + WASM build,
 * `dist/face-api.node-wasm.js`) on TensorFlow.js 4.22.0 with the WebAssembly backend
 * (`@tensorflow/tfjs-backend-wasm`, SIMD, one thread: Node has no WASM threads in tfjs). The
 * weights are read from `node_modules/@vladmandic/face-api/model/` and the WASM binary from
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/` with the file system: nothing is fetched,
 * at install or at run time. Loaded once per process (about 1 s), then shared.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type * as FaceApiTypes from '@vladmandic/face-api/dist/face-api.node-wasm.js';

const require = createRequire(import.meta.url);

export type FaceApi = typeof FaceApiTypes;
export type Tf = typeof TF & {
  setWasmPaths(prefixOrFileMap: string | Record<string, string>, usePlatformFetch?: boolean): void;
};

export interface FaceRuntime {
  faceapi: FaceApi;
  tf: Tf;
  /** 'wasm' (always, or loading fails). */
  backend: string;
  simd: boolean;
  /** Threads the WASM backend computes on (1: Node gets no WASM threads from tfjs). */
  threads: number;
  /** Where the weights were read from (node_modules). */
  modelDir: string;
  wasmDir: string;
  /** Versions actually loaded. */
  versions: { faceApi: string; tfjs: string };
  loadMs: number;
}

/** Which networks are loaded (the landmark and recognition nets always are). */
export const MODEL_FILES = [
  'tiny_face_detector_model',
  'ssd_mobilenetv1_model',
  'face_landmark_68_model',
  'face_recognition_model',
] as const;

let loading: Promise<FaceRuntime> | undefined;

/** Loads the runtime once per process; later calls get the same instance. */
export function loadFaceRuntime(): Promise<FaceRuntime> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function load(): Promise<FaceRuntime> {
  const started = performance.now();
  const packageDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
  const modelDir = path.join(packageDir, 'model');
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  for (const name of MODEL_FILES) {
    const manifest = path.join(modelDir, `${name}-weights_manifest.json`);
    if (!existsSync(manifest)) throw new Error(`face model missing: ${manifest} (npm ci should have installed it)`);
  }
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const tf = faceapi.tf as unknown as Tf;
  // a path prefix (not a URL): the Emscripten loader reads the binary with fs in Node
  tf.setWasmPaths(wasmDir + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WASM backend did not start');
  await tf.ready();
  tf.enableProdMode();
  const nets = faceapi.nets;
  await Promise.all([
    nets.tinyFaceDetector.loadFromDisk(modelDir),
    nets.ssdMobilenetv1.loadFromDisk(modelDir),
    nets.faceLandmark68Net.loadFromDisk(modelDir),
    nets.faceRecognitionNet.loadFromDisk(modelDir),
  ]);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const backend = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
  const threads = backend.wasm?.tfjs?.getThreadsCount?.() ?? 1;
  const faceApiVersion = (require('@vladmandic/face-api/package.json') as { version: string }).version;
  return {
    faceapi,
    tf,
    backend: tf.getBackend(),
    simd,
    threads,
    modelDir,
    wasmDir,
    versions: { faceApi: faceApiVersion, tfjs: tf.version_core },
    loadMs: performance.now() - started,
  };
}

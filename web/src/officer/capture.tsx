import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { fileToBase64 } from './forms.tsx';

/**
 * Biometric capture at the counter: the portrait from the counter's camera (getUserMedia) or a file,
 * and fingerprint images (500 dpi greyscale TIFF from the scanner, one per finger). Captures stay in
 * memory only: they are sent with the application, verified by the matchers and dropped (DOMAIN.md
 * §9); no draft keeps them.
 */

export interface Capture {
  /** Base64, without the data-URL prefix. */
  base64: string;
  name: string;
  type: string;
  size: number;
  /** A data URL to show the portrait (images only). */
  preview?: string;
}

async function captureOf(file: File): Promise<Capture> {
  const base64 = await fileToBase64(file);
  const previewable = file.type === 'image/jpeg' || file.type === 'image/png';
  return {
    base64,
    name: file.name,
    type: file.type,
    size: file.size,
    ...(previewable ? { preview: `data:${file.type};base64,${base64}` } : {}),
  };
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function PortraitCapture(props: {
  value: Capture | undefined;
  onChange(c: Capture | undefined): void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const { value, onChange, error } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | undefined>();
  const [cameraError, setCameraError] = useState<string | undefined>();
  const cameraAvailable = typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getUserMedia);

  useEffect(() => {
    if (video.current && stream) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((track) => track.stop());
  }, [stream]);

  async function startCamera() {
    setCameraError(undefined);
    try {
      setStream(await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 960, facingMode: 'user' } }));
    } catch (e) {
      setCameraError((e as Error).name === 'NotAllowedError' ? t('camera_denied') : t('camera_unavailable'));
    }
  }

  function stopCamera() {
    stream?.getTracks().forEach((track) => track.stop());
    setStream(undefined);
  }

  function takePhoto() {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')!.drawImage(v, 0, 0);
    const url = canvas.toDataURL('image/jpeg', 0.92);
    const base64 = url.replace(/^data:[^,]*,/, '');
    onChange({
      base64,
      name: 'camera.jpg',
      type: 'image/jpeg',
      size: Math.round((base64.length * 3) / 4),
      preview: url,
    });
    stopCamera();
  }

  return (
    <fieldset
      id="face"
      className={error ? 'field field-error capture' : 'field capture'}
      aria-describedby={error ? 'face-error face-hint' : 'face-hint'}
    >
      <legend>{t('portrait_legend')}</legend>
      <p className="hint" id="face-hint">
        {t('portrait_hint')}
      </p>
      {error && (
        <p className="error-message" id="face-error">
          {error}
        </p>
      )}
      <div className="capture-row">
        <div className="capture-preview">
          {stream ? (
            <video ref={video} autoPlay playsInline muted aria-label={t('camera_live')} />
          ) : value?.preview ? (
            <img src={value.preview} alt={t('portrait_preview')} />
          ) : (
            <p className="capture-empty">{t('portrait_none')}</p>
          )}
        </div>
        <div className="capture-tools">
          {cameraAvailable &&
            (stream ? (
              <div className="actions">
                <button type="button" onClick={takePhoto}>
                  {t('camera_take')}
                </button>
                <button type="button" className="button-secondary" onClick={stopCamera}>
                  {t('camera_stop')}
                </button>
              </div>
            ) : (
              <button type="button" className="button-secondary" onClick={() => void startCamera()}>
                {t('camera_start')}
              </button>
            ))}
          {cameraError && (
            <p className="error-message" role="alert">
              {cameraError}
            </p>
          )}
          <div className="field">
            <label htmlFor="face-file">{t('portrait_file')}</label>
            <input
              id="face-file"
              type="file"
              accept="image/jpeg,image/png"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void captureOf(file).then(onChange);
              }}
            />
          </div>
          {value && (
            <p className="capture-chosen">
              {t('capture_chosen', { name: value.name, size: sizeText(value.size) })}{' '}
              <button type="button" className="link-button" onClick={() => onChange(undefined)}>
                {t('capture_remove')}
              </button>
            </p>
          )}
        </div>
      </div>
    </fieldset>
  );
}

/** ISO/IEC 19794-2 finger positions 1–10: the array sent is indexed by position − 1. */
export const FINGERS = [
  'right_thumb',
  'right_index',
  'right_middle',
  'right_ring',
  'right_little',
  'left_thumb',
  'left_index',
  'left_middle',
  'left_ring',
  'left_little',
] as const;

/**
 * One file input per finger, labelled with its position. The first two (right thumb, right index)
 * are what a level-2 account needs; more may be given, in order, without gaps.
 */
export function FingerprintUploads(props: {
  value: (Capture | undefined)[];
  onChange(next: (Capture | undefined)[]): void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const { value, onChange, error } = props;
  const [more, setMore] = useState(value.slice(2).some(Boolean));
  const shown = more ? FINGERS : FINGERS.slice(0, 2);
  return (
    <fieldset
      id="fingerprints"
      className={error ? 'field field-error capture' : 'field capture'}
      aria-describedby={error ? 'fingerprints-error fingerprints-hint' : 'fingerprints-hint'}
    >
      <legend>{t('fingerprints_legend')}</legend>
      <p className="hint" id="fingerprints-hint">
        {t('fingerprints_hint')}
      </p>
      {error && (
        <p className="error-message" id="fingerprints-error">
          {error}
        </p>
      )}
      <div className="finger-grid">
        {shown.map((finger, index) => {
          const current = value[index];
          return (
            <div className="field finger" key={finger}>
              <label htmlFor={`finger-${index + 1}`}>
                {t('finger_label', { n: index + 1, finger: t(`finger_${finger}`) })}
              </label>
              <input
                id={`finger-${index + 1}`}
                type="file"
                accept="image/tiff,.tif,.tiff,image/png"
                aria-describedby={current ? `finger-${index + 1}-chosen` : undefined}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  void captureOf(file).then((c) => {
                    const next = [...value];
                    next[index] = c;
                    onChange(next);
                  });
                }}
              />
              {current && (
                <p className="capture-chosen" id={`finger-${index + 1}-chosen`}>
                  {t('capture_chosen', { name: current.name, size: sizeText(current.size) })}
                </p>
              )}
            </div>
          );
        })}
      </div>
      {!more && (
        <button type="button" className="link-button" onClick={() => setMore(true)}>
          {t('fingers_more')}
        </button>
      )}
    </fieldset>
  );
}

/** The fingerprints to send: position order, no gap. A gap is the officer's mistake, said in words. */
export function fingerprintsToSend(value: (Capture | undefined)[]): { images: string[] } | { gap: number } {
  const last = value.reduce((acc, c, i) => (c ? i : acc), -1);
  const images: string[] = [];
  for (let i = 0; i <= last; i++) {
    const c = value[i];
    if (!c) return { gap: i + 1 };
    images.push(c.base64);
  }
  return { images };
}

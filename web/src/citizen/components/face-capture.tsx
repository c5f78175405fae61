import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { useAuth } from '../../shared/auth.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { Progress } from '../../shared/progress.tsx';

/**
 * The portrait for an application: taken with the camera (getUserMedia, one frame drawn on a canvas
 * and encoded as JPEG) or, where there is no camera or the person prefers, chosen as a file. Each
 * image is checked at once by `POST /api/v1/public/biometrics/face-check`, whose quality messages
 * (in the page's language) say what to retake before anything is sent. The image stays in memory:
 * it is never written to a draft (DOMAIN.md §9: captures are verified and dropped).
 */

export interface FaceCheck {
  acceptable: boolean;
  quality: { code: string; message: string }[];
}

/** What the parent form knows of the portrait. */
export interface FaceValue {
  /** Base64 of the image (no data: prefix). */
  base64: string;
  /** For the preview. */
  dataUrl: string;
  /** The quality check's answer; undefined while checking, null when the check could not run. */
  check: FaceCheck | null | undefined;
}

const MAX_BYTES = 8 * 1024 * 1024;

function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

const base64Of = (dataUrl: string) => dataUrl.slice(dataUrl.indexOf(',') + 1);

export function FaceCapture(props: {
  id: string;
  label: string;
  hint?: string;
  value: FaceValue | undefined;
  onChange(value: FaceValue | undefined): void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const { api } = useAuth();
  const { id, value, onChange } = props;
  const videoRef = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | undefined>();
  const [cameraError, setCameraError] = useState<string | undefined>();
  const [checkError, setCheckError] = useState<string | undefined>();
  const [starting, setStarting] = useState(false);
  const hasCamera = typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getUserMedia);

  useEffect(() => {
    if (videoRef.current && stream) {
      videoRef.current.srcObject = stream;
      void videoRef.current.play().catch(() => undefined);
    }
  }, [stream]);

  // The camera goes off when the component goes away.
  useEffect(() => () => stream?.getTracks().forEach((track) => track.stop()), [stream]);

  async function check(dataUrl: string) {
    const base64 = base64Of(dataUrl);
    setCheckError(undefined);
    onChange({ base64, dataUrl, check: undefined });
    try {
      const result = await api.post<FaceCheck>('/api/v1/public/biometrics/face-check', { image: base64 });
      onChange({ base64, dataUrl, check: result });
    } catch (error) {
      if (error instanceof ApiError && [400, 413, 415].includes(error.status)) {
        // Not an image, too large, not JPEG or PNG: nothing to send.
        setCheckError(error.message);
        onChange(undefined);
        return;
      }
      // The check could not run (not available, or asked too often): the image is checked when the form is sent.
      onChange({ base64, dataUrl, check: null });
    }
  }

  async function startCamera() {
    setCameraError(undefined);
    setStarting(true);
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 960 } },
        audio: false,
      });
      setStream(media);
    } catch (error) {
      const name = (error as Error).name;
      setCameraError(
        name === 'NotAllowedError' || name === 'SecurityError'
          ? t('cz_camera_denied')
          : name === 'NotFoundError' || name === 'OverconstrainedError'
            ? t('cz_camera_none')
            : t('cz_camera_failed'),
      );
    } finally {
      setStarting(false);
    }
  }

  function stopCamera() {
    stream?.getTracks().forEach((track) => track.stop());
    setStream(undefined);
  }

  function capture() {
    const video = videoRef.current;
    if (!video || video.videoWidth === 0) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    const dataUrl = canvas.toDataURL('image/jpeg', 0.92);
    stopCamera();
    void check(dataUrl);
  }

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setCheckError(undefined);
    if (!/^image\/(jpeg|png)$/.test(file.type)) {
      setCheckError(t('cz_face_type'));
      return;
    }
    if (file.size > MAX_BYTES) {
      setCheckError(t('cz_face_too_big'));
      return;
    }
    void check(await readAsDataUrl(file));
  }

  const error = props.error ?? checkError;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <fieldset className={error ? 'field field-error face-capture' : 'field face-capture'} aria-describedby={hintId}>
      <legend>{props.label}</legend>
      <p className="hint" id={hintId}>
        {props.hint ?? t('cz_face_hint')}
      </p>
      {error && (
        <p className="error-message" id={errorId}>
          {error}
        </p>
      )}
      {stream ? (
        <div className="camera">
          <video ref={videoRef} muted playsInline aria-label={t('cz_camera_preview')} />
          <div className="actions">
            <button type="button" onClick={capture}>
              {t('cz_camera_capture')}
            </button>
            <button type="button" className="button-secondary" onClick={stopCamera}>
              {t('cz_camera_stop')}
            </button>
          </div>
        </div>
      ) : (
        hasCamera && (
          <div className="actions">
            <button type="button" className="button-secondary" onClick={startCamera} disabled={starting}>
              {value ? t('cz_camera_retake') : t('cz_camera_start')}
            </button>
          </div>
        )
      )}
      {cameraError && (
        <p className="notice notice-warning" role="status">
          {cameraError}
        </p>
      )}
      <div className="file-input">
        <label htmlFor={id}>{hasCamera ? t('cz_face_file_or') : t('cz_face_file')}</label>
        <input
          id={id}
          name={id}
          type="file"
          accept="image/jpeg,image/png"
          onChange={choose}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
      </div>
      {value && (
        <div className="face-preview">
          <img src={value.dataUrl} alt={t('cz_face_preview_alt')} />
          <FaceQuality value={value} />
          <button type="button" className="link-button" onClick={() => onChange(undefined)}>
            {t('cz_face_remove')}
          </button>
        </div>
      )}
    </fieldset>
  );
}

function FaceQuality({ value }: { value: FaceValue }) {
  const { t } = useI18n();
  if (value.check === undefined) return <Progress label={t('cz_face_checking')} />;
  if (value.check === null) {
    return (
      <p className="hint" role="status">
        {t('cz_face_unchecked')}
      </p>
    );
  }
  if (value.check.acceptable) {
    return (
      <div className="success" role="status">
        <p>{t('cz_face_ok')}</p>
        {value.check.quality.length > 0 && (
          <ul>
            {value.check.quality.map((q) => (
              <li key={q.code}>{q.message}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div className="notice notice-warning" role="status">
      <p>{t('cz_face_retake')}</p>
      <ul>
        {value.check.quality.map((q) => (
          <li key={q.code}>{q.message}</li>
        ))}
      </ul>
    </div>
  );
}

/** The face's message for the form's summary when it cannot be sent yet, if any. */
export function faceProblem(value: FaceValue | undefined, required: boolean, t: ReturnType<typeof useI18n>['t']) {
  if (!value) return required ? t('cz_face_required') : undefined;
  if (value.check === undefined) return t('cz_face_wait');
  if (value.check && !value.check.acceptable) return t('cz_face_not_acceptable');
  return undefined;
}

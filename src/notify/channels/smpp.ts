import smpp from 'smpp';
import {
  PermanentSendError,
  TransientSendError,
  type Channel,
  type Delivery,
  type SendContext,
  type SendResult,
} from './channel.ts';
import { ESM_CLASS_UDHI, concatReference, concatUdh, encodeSms } from '../sms-text.ts';

export interface SmppOptions {
  /** The SMSC: `smpp://host:2775`, or `ssmpp://host:3550` for TLS. */
  url: string;
  systemId: string;
  password: string;
  systemType?: string;
  /** Sender: an alphanumeric brand name (≤ 11 characters), a short code, or an E.164 number. */
  sourceAddr: string;
  /**
   * How a text longer than one SMS goes out: 'udh' (default) sends one submit_sm per part, each
   * with a concatenation header; 'payload' sends the whole text in the message_payload TLV and
   * lets the SMSC segment it.
   */
  longMessages?: 'udh' | 'payload';
  /** Most parts a text may take (default 10). */
  maxParts?: number;
  /** Time to connect and bind (default 10 s). */
  connectTimeoutMs?: number;
  /** Time to wait for each submit_sm_resp (default 15 s). */
  responseTimeoutMs?: number;
  /** enquire_link period keeping an idle bind alive (default 30 s, 0 = off). */
  enquireLinkMs?: number;
  /** Told when a bind is made and when its connection ends (for logs and metrics). */
  onEvent?: (event: SmppEvent) => void;
}

export type SmppEvent = { type: 'bound' } | { type: 'closed'; error?: string };

const ERROR_NAMES = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** command_status values that refuse the message itself: sending it again cannot succeed. */
const PERMANENT_STATUS = new Set([
  0x0001, // ESME_RINVMSGLEN
  0x000b, // ESME_RINVDSTADR
  0x0043, // ESME_RINVESMCLASS
  0x0050, // ESME_RINVDSTTON
  0x0051, // ESME_RINVDSTNPI
  0x0065, // ESME_RX_P_APPN
  0x0066, // ESME_RX_R_APPN
  0x0104, // ESME_RINVDCS
]);

export function statusName(status: number): string {
  return ERROR_NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

function statusError(what: string, status: number): PermanentSendError | TransientSendError {
  const message = `SMPP: ${what} refused with ${statusName(status)}`;
  return PERMANENT_STATUS.has(status)
    ? new PermanentSendError(message, { code: status })
    : new TransientSendError(message, { code: status });
}

/** SMPP address fields (TON/NPI) of a sender. */
export function sourceAddress(addr: string): { source_addr_ton: number; source_addr_npi: number; source_addr: string } {
  if (/^\+[1-9]\d{6,14}$/.test(addr)) return { source_addr_ton: 1, source_addr_npi: 1, source_addr: addr.slice(1) };
  if (/^\d{2,15}$/.test(addr)) return { source_addr_ton: 0, source_addr_npi: 1, source_addr: addr };
  if (/^[\x20-\x7e]{1,11}$/.test(addr)) return { source_addr_ton: 5, source_addr_npi: 0, source_addr: addr };
  throw new Error(`not a valid SMS sender: ${addr}`);
}

/** SMPP address fields of a recipient, which must be an E.164 number (+84…). */
export function destinationAddress(addr: string): {
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
} {
  if (!/^\+[1-9]\d{6,14}$/.test(addr)) throw new PermanentSendError(`SMPP: not an E.164 number: ${addr}`);
  return { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: addr.slice(1) };
}

interface Bound {
  session: smpp.Session;
  closed: boolean;
  /** Rejecters of the submits waiting for their response on this session. */
  waiting: Set<(error: Error) => void>;
}

/**
 * SMS over SMPP 3.4: binds as a transmitter, sends submit_sm (GSM-7 or UCS-2, concatenated when
 * long) and waits for each submit_sm_resp. The bind is kept and shared by concurrent sends; when
 * the connection fails the next send binds again.
 */
export class SmppSmsChannel implements Channel {
  readonly name = 'sms' as const;
  private bound: Promise<Bound> | undefined;
  private live: Bound | undefined;
  private closing = false;
  private readonly source: ReturnType<typeof sourceAddress>;

  constructor(private readonly options: SmppOptions) {
    this.source = sourceAddress(options.sourceAddr);
  }

  async send(delivery: Delivery, context: SendContext): Promise<SendResult> {
    if (this.closing) throw new TransientSendError('SMPP: channel closed');
    const destination = destinationAddress(delivery.recipient);
    let encoded;
    try {
      encoded = encodeSms(delivery.content.sms, { maxParts: this.options.maxParts ?? 10 });
    } catch (error) {
      throw new PermanentSendError(`SMPP: ${(error as Error).message}`, { cause: error });
    }
    const bound = await this.session();
    context.signal.throwIfAborted();
    await context.handoff();

    const base = { ...this.source, ...destination, data_coding: encoded.dataCoding, registered_delivery: 0 };
    const pdus: Record<string, unknown>[] = [];
    if (encoded.parts.length === 1) {
      pdus.push({ ...base, esm_class: 0, short_message: encoded.parts[0] });
    } else if (this.options.longMessages === 'payload') {
      pdus.push({ ...base, esm_class: 0, short_message: Buffer.alloc(0), message_payload: encoded.payload });
    } else {
      const ref = concatReference(delivery.id);
      encoded.parts.forEach((part, i) => {
        const udh = concatUdh(ref, encoded.parts.length, i + 1);
        pdus.push({ ...base, esm_class: ESM_CLASS_UDHI, short_message: Buffer.concat([udh, part]) });
      });
    }

    const ids: string[] = [];
    for (const pdu of pdus) {
      try {
        ids.push(await this.submit(bound, pdu, context.signal));
      } catch (error) {
        // A part was accepted already: the recipient may have a fragment, so the whole is uncertain.
        if (ids.length > 0 && error instanceof TransientSendError && !error.uncertain) {
          throw new TransientSendError(`${error.message} (after ${ids.length} part(s) were accepted)`, {
            code: error.code,
            cause: error,
            uncertain: true,
          });
        }
        throw error;
      }
    }
    return { providerId: ids.join(',') };
  }

  /** The bound session, connecting and binding when there is none. */
  private session(): Promise<Bound> {
    this.bound ??= this.bind().catch((error: unknown) => {
      this.bound = undefined;
      throw error;
    });
    return this.bound;
  }

  private bind(): Promise<Bound> {
    const { url, systemId, password, systemType } = this.options;
    return new Promise<Bound>((resolve, reject) => {
      const session = smpp.connect({ url, auto_enquire_link_period: this.options.enquireLinkMs ?? 30_000 });
      const bound: Bound = { session, closed: false, waiting: new Set() };
      let settled = false;
      let lastError: Error | undefined;
      const fail = (error: TransientSendError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
        session.destroy();
      };
      const timer = setTimeout(
        () => fail(new TransientSendError('SMPP: connect and bind timed out')),
        this.options.connectTimeoutMs ?? 10_000,
      );
      session.on('error', (error) => {
        lastError = error;
      });
      session.on('close', () => {
        bound.closed = true;
        // Forget this session so the next send binds again.
        if (this.live === bound) {
          this.live = undefined;
          this.bound = undefined;
          this.options.onEvent?.(lastError ? { type: 'closed', error: lastError.message } : { type: 'closed' });
        }
        const lost = new TransientSendError(`SMPP: connection lost${lastError ? `: ${lastError.message}` : ''}`, {
          uncertain: true,
          cause: lastError,
        });
        for (const rejectWaiting of bound.waiting) rejectWaiting(lost);
        bound.waiting.clear();
        fail(
          new TransientSendError(`SMPP: connection closed before bind${lastError ? `: ${lastError.message}` : ''}`, {
            cause: lastError,
          }),
        );
      });
      // The SMSC may check on us, or end the bind.
      session.on('enquire_link', (pdu) => session.send(pdu.response()));
      session.on('unbind', (pdu) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('connect', () => {
        session.bind_transmitter(
          { system_id: systemId, password, system_type: systemType ?? '', interface_version: 0x34 },
          (pdu) => {
            if (pdu.command_status === 0) {
              settled = true;
              clearTimeout(timer);
              this.live = bound;
              this.options.onEvent?.({ type: 'bound' });
              resolve(bound);
            } else {
              fail(
                new TransientSendError(`SMPP: bind_transmitter refused with ${statusName(pdu.command_status)}`, {
                  code: pdu.command_status,
                }),
              );
            }
          },
        );
      });
    });
  }

  /** Sends one submit_sm and resolves with the SMSC's message_id. */
  private submit(bound: Bound, params: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (bound.closed) {
        reject(new TransientSendError('SMPP: connection lost before submit'));
        return;
      }
      let done = false;
      const finish = (action: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        bound.waiting.delete(rejectWaiting);
        action();
      };
      const rejectWaiting = (error: Error) => finish(() => reject(error));
      const onAbort = () =>
        rejectWaiting(new TransientSendError('SMPP: send aborted before submit_sm_resp', { uncertain: true }));
      const timer = setTimeout(() => {
        rejectWaiting(new TransientSendError('SMPP: no submit_sm_resp in time', { uncertain: true }));
        // An SMSC that stops answering gets a fresh connection on the next send.
        bound.session.destroy();
      }, this.options.responseTimeoutMs ?? 15_000);
      signal.addEventListener('abort', onAbort, { once: true });
      bound.waiting.add(rejectWaiting);
      const written = bound.session.submit_sm(params, (pdu) => {
        if (pdu.command === 'submit_sm_resp' && pdu.command_status === 0) {
          finish(() => resolve(String(pdu.message_id ?? '')));
        } else {
          finish(() => reject(statusError('submit_sm', pdu.command_status)));
        }
      });
      if (!written) rejectWaiting(new TransientSendError('SMPP: connection not writable'));
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const pending = this.bound;
    this.bound = undefined;
    this.live = undefined;
    const bound = await pending?.catch(() => undefined);
    if (!bound || bound.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => bound.session.destroy(), 2_000);
      bound.session.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      const sent = bound.session.unbind({}, () => bound.session.close());
      if (!sent) bound.session.destroy();
    });
  }
}

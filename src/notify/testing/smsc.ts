import smpp from 'smpp';
import type { AddressInfo } from 'node:net';

/** One submit_sm as the test SMSC received it, decoded by the smpp package. */
export interface ReceivedSubmit {
  systemId: string;
  source: string;
  destination: string;
  destTon: number;
  destNpi: number;
  dataCoding: number;
  esmClass: number;
  /** The decoded text of this PDU (one part of a concatenated message). */
  text: string;
  /** Concatenation header, when present. */
  concat?: { ref: number; total: number; seq: number };
  viaPayload: boolean;
  /** The message_id the SMSC answered with (undefined when it refused or never answered). */
  messageId?: string;
}

/** A whole SMS as a handset would show it (concatenated parts put back together). */
export interface ReceivedSms {
  destination: string;
  text: string;
  parts: number;
}

export interface SmscOptions {
  systemId?: string;
  password?: string;
  /**
   * Called for each submit_sm before the SMSC answers; return a non-zero command_status to refuse
   * it. The answer waits for the returned promise (a test can hold it while it kills the sender).
   */
  onSubmit?: (submit: ReceivedSubmit) => Promise<number | void> | number | void;
  /** Called for each accepted bind before the SMSC answers it; the answer waits for the promise. */
  onBind?: () => Promise<void> | void;
}

/**
 * An in-process SMSC (smpp.createServer) on 127.0.0.1 and an ephemeral port: accepts
 * bind_transmitter with the configured credentials, records every submit_sm and reassembles
 * concatenated messages.
 */
export class TestSmsc {
  readonly binds: { systemId: string; password: string; accepted: boolean; interfaceVersion: number }[] = [];
  /** Every submit_sm received, in order. */
  readonly submits: ReceivedSubmit[] = [];
  private readonly server: smpp.Server;
  private nextId = 1;
  private waiters: { count: number; resolve: () => void }[] = [];
  port = 0;

  constructor(private readonly options: SmscOptions = {}) {
    const systemId = options.systemId ?? 'dinhdanh';
    const password = options.password ?? 'secret';
    this.server = smpp.createServer((session) => {
      let boundAs: string | undefined;
      session.on('error', () => undefined);
      session.on('bind_transmitter', (pdu) => {
        const accepted = pdu.system_id === systemId && pdu.password === password;
        this.binds.push({
          systemId: String(pdu.system_id),
          password: String(pdu.password),
          accepted,
          interfaceVersion: Number(pdu.interface_version),
        });
        if (!accepted) {
          session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
          session.close();
          return;
        }
        Promise.resolve(this.options.onBind?.()).then(() => {
          boundAs = String(pdu.system_id);
          session.send(pdu.response({ system_id: 'TEST-SMSC' }));
        });
      });
      session.on('enquire_link', (pdu) => session.send(pdu.response()));
      session.on('unbind', (pdu) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('submit_sm', (pdu) => {
        if (!boundAs) {
          session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
          return;
        }
        const submit = this.decode(boundAs, pdu);
        this.submits.push(submit);
        Promise.resolve(this.options.onSubmit?.(submit)).then((status) => {
          if (status) {
            session.send(pdu.response({ command_status: status }));
            return;
          }
          submit.messageId = `SMSC-${this.nextId++}`;
          session.send(pdu.response({ message_id: submit.messageId }));
          this.notify();
        });
      });
    });
    this.server.on('error', () => undefined);
  }

  private decode(systemId: string, pdu: smpp.PDU): ReceivedSubmit {
    const payload = pdu.message_payload;
    const viaPayload = payload !== undefined && (payload.message as string | Buffer).length > 0;
    const message = viaPayload ? payload! : (pdu.short_message ?? { message: '' });
    const ie = message.udh?.find((u) => u[0] === 0x00 && u[1] === 0x03);
    return {
      systemId,
      source: String(pdu.source_addr),
      destination: String(pdu.destination_addr),
      destTon: Number(pdu.dest_addr_ton),
      destNpi: Number(pdu.dest_addr_npi),
      dataCoding: Number(pdu.data_coding),
      esmClass: Number(pdu.esm_class),
      text: typeof message.message === 'string' ? message.message : message.message.toString('hex'),
      ...(ie ? { concat: { ref: ie[2]!, total: ie[3]!, seq: ie[4]! } } : {}),
      viaPayload,
    };
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  /** Accepted messages, concatenated parts reassembled (a message is listed once all parts are in). */
  messages(): ReceivedSms[] {
    const out: ReceivedSms[] = [];
    const groups = new Map<string, ReceivedSubmit[]>();
    for (const s of this.submits.filter((x) => x.messageId !== undefined)) {
      if (!s.concat) {
        out.push({ destination: s.destination, text: s.text, parts: 1 });
        continue;
      }
      const key = `${s.destination}/${s.concat.ref}/${s.concat.total}`;
      const group = groups.get(key) ?? [];
      group.push(s);
      groups.set(key, group);
      const seqs = new Set(group.map((g) => g.concat!.seq));
      if (seqs.size === s.concat.total) {
        const ordered = [...seqs].sort((a, b) => a - b).map((seq) => group.find((g) => g.concat!.seq === seq)!);
        out.push({ destination: s.destination, text: ordered.map((g) => g.text).join(''), parts: s.concat.total });
        groups.delete(key);
      }
    }
    return out;
  }

  /** Resolves once `count` submit_sm have been accepted. */
  waitForAccepted(count: number): Promise<void> {
    if (this.accepted() >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private accepted(): number {
    return this.submits.filter((s) => s.messageId !== undefined).length;
  }

  private notify(): void {
    const n = this.accepted();
    const ready = this.waiters.filter((w) => n >= w.count);
    this.waiters = this.waiters.filter((w) => n < w.count);
    for (const w of ready) w.resolve();
  }

  /** Drops every client connection, as an SMSC restart would. */
  async dropConnections(): Promise<void> {
    const sessions = [...this.server.sessions];
    await Promise.all(sessions.map((s) => new Promise<void>((resolve) => s.destroy(() => resolve()))));
  }

  async stop(): Promise<void> {
    await this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// Type declarations for the parts of the `smpp` package (node-smpp 0.5, no bundled types) that
// src/notify uses: a client session (bind, submit_sm, enquire_link, unbind) and, for tests, a server.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A PDU: its header fields plus the command's parameters and TLVs as properties. */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      system_type?: string;
      message_id?: string;
      source_addr?: string;
      destination_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      esm_class?: number;
      data_coding?: number;
      /** As decoded by the library: `{ message, udh? }` (udh: the header's information elements). */
      short_message?: DecodedMessage;
      message_payload?: DecodedMessage;
      [param: string]: unknown;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
    }

    interface DecodedMessage {
      message: string | Buffer;
      udh?: Buffer[];
    }

    type ResponseCallback = (pdu: PDU) => void;

    interface Session extends EventEmitter {
      socket: Socket;
      send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: (pdu: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
      bind_transmitter(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
      submit_sm(
        options: Record<string, unknown>,
        responseCallback?: ResponseCallback,
        sendCallback?: (pdu: PDU) => void,
      ): boolean;
      enquire_link(options?: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
      unbind(options?: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
      on(event: 'connect' | 'secureConnect' | 'close', listener: () => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
      on(event: string, listener: (pdu: PDU) => void): this;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      url?: string;
      host?: string;
      port?: number;
      tls?: boolean;
      auto_enquire_link_period?: number;
      [option: string]: unknown;
    }
  }

  const smpp: {
    connect(options: smpp.ConnectOptions | string, listener?: () => void): smpp.Session;
    createServer(sessionListener?: (session: smpp.Session) => void): smpp.Server;
    createServer(options: Record<string, unknown>, sessionListener?: (session: smpp.Session) => void): smpp.Server;
    PDU: new (command: string, options?: Record<string, unknown>) => smpp.PDU;
    errors: Record<string, number>;
    [constant: string]: unknown;
  };
  export = smpp;
}

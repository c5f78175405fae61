// The part of pngjs 7 used here (the package ships no types; @types/pngjs is not installed).
declare module 'pngjs' {
  export interface PNGOptions {
    width?: number;
    height?: number;
  }
  export class PNG {
    constructor(options?: PNGOptions);
    width: number;
    height: number;
    /** RGBA, 8 bits per channel, after decoding whatever the file held. */
    data: Buffer;
    static sync: {
      read(buffer: Buffer): PNG;
      write(png: PNG): Buffer;
    };
  }
}

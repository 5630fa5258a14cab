import fs from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { InputError } from '../errors.js';
import { invalidUtf8Offset, invalidUtf8Reason } from './utf8.js';

export type XmlTag = SaxesTagNS;
export type XmlParser = SaxesParser<{ xmlns: true; position: true }>;

/** What a format's reader does with the document's nodes; `fail` throws an InputError at FILE:LINE. */
export interface XmlDocumentReader<Part> {
  open(tag: XmlTag): void;
  /** A text node or a CDATA section. */
  addText(text: string): void;
  close(): void;
  /** The parts completed since the last call, in document order. */
  take(): Part[];
  /** The innermost open element, named for a file cut short. */
  openElement(): string | undefined;
  fail(field: string, reason: string): never;
}

/** The format's words: what to refuse with, and what to ask for instead. */
export interface XmlReadOptions {
  /** saxes holds a text, comment, CDATA section or tag whole until it ends: a longer one is refused first. */
  maxNodeChars: number;
  nodeTooLargeReason: string;
  doctypeReason: string;
  /** Why a declared encoding other than UTF-8 (or its subset US-ASCII) is refused. */
  encodingReason: (declared: string) => string;
  cutShortHint: string;
  malformedHint: string;
}

/**
 * A namespace-aware saxes parser that knows its position. saxes's `on()` adds each handler as a
 * new property of the parser by a computed key; past six or so, V8 turns the parser into a
 * dictionary-mode object and every field read of its per-character loop is a hash lookup (the
 * read took 3-4 times as long). Declaring every slot in the constructor keeps the object's shape
 * fast; `on()` then only overwrites them. Behaviour is saxes's own. One assignment each by name
 * on purpose: a loop over the names would be computed keys again.
 */
export class ShapedSaxesParser extends SaxesParser<{ xmlns: true; position: true }> {
  constructor(options: { xmlns: true; position: true; fileName: string }) {
    super(options);
    const slots = this as unknown as Record<SaxesHandlerSlot, undefined>;
    slots.xmldeclHandler = undefined;
    slots.textHandler = undefined;
    slots.piHandler = undefined;
    slots.doctypeHandler = undefined;
    slots.commentHandler = undefined;
    slots.openTagStartHandler = undefined;
    slots.attributeHandler = undefined;
    slots.openTagHandler = undefined;
    slots.closeTagHandler = undefined;
    slots.cdataHandler = undefined;
    slots.errorHandler = undefined;
    slots.endHandler = undefined;
    slots.readyHandler = undefined;
  }
}

/** The handler fields saxes's `on()` adds to the parser (saxes.js EVENT_NAME_TO_HANDLER_NAME). */
type SaxesHandlerSlot =
  | 'xmldeclHandler'
  | 'textHandler'
  | 'piHandler'
  | 'doctypeHandler'
  | 'commentHandler'
  | 'openTagStartHandler'
  | 'attributeHandler'
  | 'openTagHandler'
  | 'closeTagHandler'
  | 'cdataHandler'
  | 'errorHandler'
  | 'endHandler'
  | 'readyHandler';

/**
 * Streams `file` through `parser` (UTF-8, 64 KiB at a time) into `reader`, and yields its parts
 * after each chunk: the document is never built. Refused, with the first fault: XML that is not
 * well-formed (`FILE:LINE xml: reason`), a DOCTYPE (no DTDs or entities), a declared encoding
 * other than UTF-8, a node over `maxNodeChars`, and a file that ends inside an element.
 */
export async function* readXml<Part>(
  file: string,
  parser: XmlParser,
  reader: XmlDocumentReader<Part>,
  options: XmlReadOptions,
): AsyncGenerator<Part> {
  // Thrown from inside saxes: the first fault stops the read before any handler sees more.
  parser.on('error', (error) => {
    throw xmlError(file, error, options.malformedHint);
  });
  parser.on('doctype', () => reader.fail('DOCTYPE', options.doctypeReason));
  parser.on('xmldecl', (declaration) => {
    const encoding = declaration.encoding?.toLowerCase();
    if (
      encoding !== undefined &&
      encoding !== 'utf-8' &&
      encoding !== 'utf8' &&
      encoding !== 'us-ascii'
    )
      reader.fail('xml encoding', options.encodingReason(declaration.encoding ?? ''));
  });
  const nodeEnd = trackNodeEnds(parser, reader);
  const decode = strictUtf8(file, () => parser.line, options.malformedHint);
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.write(decode(chunk));
    if (parser.position - nodeEnd() > options.maxNodeChars)
      reader.fail('xml', options.nodeTooLargeReason);
    yield* reader.take();
  }
  decode(null);
  const open = reader.openElement();
  if (open !== undefined)
    throw new InputError(
      `${file}:${parser.line} ${open}: the file ends inside <${open}>: cut short`,
      { hint: options.cutShortHint },
    );
  parser.close();
  yield* reader.take();
}

/** Hands nodes to `reader`; returns where the last node ended (saxes holds a node whole until then). */
function trackNodeEnds<Part>(parser: XmlParser, reader: XmlDocumentReader<Part>): () => number {
  let nodeEnd = 0;
  const ended = () => {
    nodeEnd = parser.position;
  };
  parser.on('opentag', (tag) => {
    ended();
    reader.open(tag);
  });
  parser.on('text', (text) => {
    ended();
    reader.addText(text);
  });
  parser.on('cdata', (text) => {
    ended();
    reader.addText(text);
  });
  parser.on('closetag', () => {
    ended();
    reader.close();
  });
  parser.on('comment', ended);
  parser.on('processinginstruction', ended);
  return () => nodeEnd;
}

/** saxes says `FILE:LINE:COLUMN: reason`; payops says `FILE:LINE xml: reason`. */
function xmlError(file: string, error: Error, hint: string): InputError {
  const match = /^.*?:(\d+):(\d+): (.*)$/s.exec(error.message);
  const where = match ? `${file}:${match[1]}` : file;
  return new InputError(`${where} xml: ${match ? match[3] : error.message} (not well-formed XML)`, {
    hint,
  });
}

/**
 * Decodes a byte stream chunk by chunk, refusing bytes that are not UTF-8 where they are
 * (`FILE:LINE encoding: …`, never U+FFFD): a sequence split across chunks waits for its end.
 * `null` ends the stream: a sequence still waiting was cut short.
 */
function strictUtf8(
  file: string,
  lineNow: () => number,
  hint: string,
): (chunk: Buffer | null) => string {
  let carry: Buffer = Buffer.alloc(0);
  let consumed = 0;
  return (chunk) => {
    const bytes = chunk === null ? carry : carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const complete = chunk === null ? bytes.length : completeLength(bytes);
    const bad = invalidUtf8Offset(bytes, 0, complete);
    if (bad >= 0) {
      const line = lineNow() + bytes.subarray(0, bad).filter((byte) => byte === 0x0a).length;
      throw new InputError(
        `${file}:${line} encoding: ${invalidUtf8Reason(bytes, bad, consumed + bad)}`,
        { hint },
      );
    }
    carry = bytes.subarray(complete);
    consumed += complete;
    return bytes.toString('utf8', 0, complete);
  };
}

/** How many leading bytes end on a sequence boundary: a lead byte in the last three whose sequence runs past the end waits. */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return bytes.length;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

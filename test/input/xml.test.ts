import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  ShapedSaxesParser,
  type XmlDocumentReader,
  type XmlParser,
  type XmlReadOptions,
  readXml,
} from '../../src/input/xml.js';
import { tempDirPerTest } from '../helpers/cli.js';

interface Value {
  text: string;
  line: number;
}

/** A format of one kind of part: the text of each <v>, and the line its end tag is on. */
function valuesReader(file: string, parser: XmlParser): XmlDocumentReader<Value> {
  const open: string[] = [];
  let parts: Value[] = [];
  let text = '';
  return {
    open(tag) {
      open.push(tag.local);
      text = '';
    },
    addText(more) {
      text += more;
    },
    close() {
      if (open.pop() === 'v') parts.push({ text, line: parser.line });
    },
    take() {
      const taken = parts;
      parts = [];
      return taken;
    },
    openElement: () => open[open.length - 1],
    fail(field, reason): never {
      throw new InputError(`${file}:${parser.line} ${field}: ${reason}`);
    },
  };
}

const OPTIONS: XmlReadOptions = {
  maxNodeChars: 1000,
  nodeTooLargeReason: 'a node too large',
  doctypeReason: 'no DOCTYPE',
  encodingReason: (declared) => `declares ${declared}`,
  cutShortHint: 'ask for the whole file',
  malformedHint: 'ask for the file again',
};

describe('readXml', () => {
  const temp = tempDirPerTest('payops-xml-');
  const write = (content: string | Buffer, name = 'statement.xml') => {
    const file = path.join(temp.dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const read = async (file: string, options: Partial<XmlReadOptions> = {}) => {
    const parser = new ShapedSaxesParser({ xmlns: true, position: true, fileName: file });
    const parts: Value[] = [];
    const merged = { ...OPTIONS, ...options };
    for await (const part of readXml(file, parser, valuesReader(file, parser), merged))
      parts.push(part);
    return parts;
  };
  /** The parts read before the read failed, and the error. */
  const readUntilError = async (file: string) => {
    const parser = new ShapedSaxesParser({ xmlns: true, position: true, fileName: file });
    const parts: Value[] = [];
    try {
      for await (const part of readXml(file, parser, valuesReader(file, parser), OPTIONS))
        parts.push(part);
    } catch (error) {
      return { parts, error };
    }
    throw new Error(`${file} was read without an error`);
  };

  it('hands the reader its nodes and yields its parts in document order, each at its line', async () => {
    const file = write(
      '<?xml version="1.0" encoding="UTF-8"?>\n<r>\n<v>a</v>\n<v>Zürich <![CDATA[&]]></v>\n</r>\n',
    );
    expect(await read(file)).toEqual([
      { text: 'a', line: 3 },
      { text: 'Zürich &', line: 4 },
    ]);
  });

  it('reads a file with a UTF-8 byte order mark, and one that declares US-ASCII', async () => {
    expect(await read(write(Buffer.from('\uFEFF<r><v>1</v></r>', 'utf8'), 'bom.xml'))).toEqual([
      { text: '1', line: 1 },
    ]);
    const ascii = write('<?xml version="1.0" encoding="us-ascii"?><r><v>2</v></r>', 'ascii.xml');
    expect(await read(ascii)).toEqual([{ text: '2', line: 1 }]);
  });

  it("refuses XML that is not well-formed as FILE:LINE xml: reason, with the format's hint", async () => {
    const file = write('<r>\n<v>1</v>\n<v>2</w>\n</r>\n', 'bad.xml');
    const { error } = await readUntilError(file);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      message: `${file}:3 xml: unexpected close tag. (not well-formed XML)`,
      hint: 'ask for the file again',
    });
  });

  it('refuses an empty file: there is no root element', async () => {
    const file = write('', 'empty.xml');
    const { parts, error } = await readUntilError(file);
    expect(parts).toEqual([]);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      message: `${file}:1 xml: document must contain a root element. (not well-formed XML)`,
    });
  });

  it('refuses a file cut short inside an element, naming it and the last line, after the parts before the cut', async () => {
    const file = write('<r>\n<v>1</v>\n<v>2', 'cut.xml');
    const { parts, error } = await readUntilError(file);
    expect(parts).toEqual([{ text: '1', line: 2 }]);
    expect(error).toMatchObject({
      message: `${file}:3 v: the file ends inside <v>: cut short`,
      hint: 'ask for the whole file',
    });
  });

  it("refuses a DOCTYPE and a declared encoding other than UTF-8 through the reader, in the format's words", async () => {
    const doctype = write('<!DOCTYPE r [<!ENTITY x "y">]>\n<r>&x;</r>', 'doctype.xml');
    expect((await readUntilError(doctype)).error).toMatchObject({
      message: `${doctype}:1 DOCTYPE: no DOCTYPE`,
    });
    const latin1 = write('<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'latin1.xml');
    expect((await readUntilError(latin1)).error).toMatchObject({
      message: `${latin1}:1 xml encoding: declares ISO-8859-1`,
    });
  });

  it('refuses a node over maxNodeChars before it is held whole, and a second root', async () => {
    const big = write(`<r><v>${'x'.repeat(70_000)}</v></r>`, 'big.xml');
    expect((await readUntilError(big)).error).toMatchObject({
      message: `${big}:1 xml: a node too large`,
    });
    const two = write('<r/>\n<r/>', 'two.xml');
    expect((await readUntilError(two)).error).toMatchObject({
      message: `${two}:2 xml: documents may contain only one root. (not well-formed XML)`,
    });
  });

  it('refuses bytes that are not UTF-8 where they are, never as U+FFFD (in a text node or in a name)', async () => {
    const inText = write(
      Buffer.concat([Buffer.from('<r>\n<v>caf'), Buffer.from([0xe9]), Buffer.from('</v></r>')]),
      'latin1-text.xml',
    );
    expect((await readUntilError(inText)).error).toMatchObject({
      message: `${inText}:2 encoding: invalid UTF-8 at byte 10 of the file (0xE9); payops reads UTF-8 only and never replaces bytes: save the file as UTF-8`,
    });
    const inName = write(
      Buffer.concat([Buffer.from('<r><v'), Buffer.from([0xff]), Buffer.from('>1</v\xff></r>')]),
      'latin1-name.xml',
    );
    expect((await readUntilError(inName)).error).toMatchObject({
      message: expect.stringContaining(`${inName}:1 encoding: invalid UTF-8 at byte 5 `),
    });
  });

  it('reads a character whose bytes straddle two 64 KiB reads, and refuses one cut off at the end', async () => {
    const padding = 'x'.repeat(64 * 1024 - '<r><v>'.length - 1);
    const straddling = write(`<r><v>${padding}é</v></r>`, 'straddle.xml');
    const parts = await read(straddling, { maxNodeChars: 200_000 });
    expect(parts).toEqual([{ text: `${padding}é`, line: 1 }]);
    const cut = write(
      Buffer.concat([Buffer.from('<r><v>a</v></r>'), Buffer.from([0xc3])]),
      'cut.xml',
    );
    expect((await readUntilError(cut)).error).toMatchObject({
      message: expect.stringContaining(`${cut}:1 encoding: invalid UTF-8 at byte 15 `),
    });
  });

  it("reads a symlink as its file; a directory fails with the stream's EISDIR (callers check first)", async () => {
    const file = write('<r><v>1</v></r>');
    const link = path.join(temp.dir, 'link.xml');
    fs.symlinkSync(file, link);
    expect(await read(link)).toEqual([{ text: '1', line: 1 }]);
    const folder = path.join(temp.dir, 'folder.xml');
    fs.mkdirSync(folder);
    expect((await readUntilError(folder)).error).toMatchObject({ code: 'EISDIR' });
  });
});

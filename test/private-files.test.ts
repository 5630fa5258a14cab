import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { PrivateAppendFile, PrivateFile, assertSafeOutput } from '../src/private-files.js';
import { tempDirPerTest } from './helpers/cli.js';

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('files payops writes', () => {
  const temp = tempDirPerTest('payops-private-');
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('a whole file appears only when committed, 0600, replacing a world-readable one', () => {
    const file = path.join(temp.dir, 'out.csv');
    fs.writeFileSync(file, 'the previous file\n', { mode: 0o644 });
    const out = PrivateFile.create(file, {});
    out.write('a,b\n');
    out.write('x'.repeat(100_000));
    expect(fs.readFileSync(file, 'utf8')).toBe('the previous file\n');
    out.commit();
    expect(fs.readFileSync(file, 'utf8')).toBe(`a,b\n${'x'.repeat(100_000)}`);
    expect(mode(file)).toBe('600');
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(() => out.write('more')).toThrow(/after it was committed/);
  });

  it('an aborted file leaves nothing behind, and the file it would have replaced as it was', () => {
    const file = path.join(temp.dir, 'out.csv');
    fs.writeFileSync(file, 'the last good one\n');
    const out = PrivateFile.create(file, {});
    out.write('half of it');
    out.abort();
    out.abort();
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(fs.readFileSync(file, 'utf8')).toBe('the last good one\n');
  });

  it('a commit that fails leaves no temporary file, and abort after it is harmless', () => {
    const file = path.join(temp.dir, 'out.csv');
    const out = PrivateFile.create(file, {});
    out.write('a,b\n');
    fs.mkdirSync(file); // the name is taken by a directory before the rename
    fs.writeFileSync(path.join(file, 'keep'), '');
    expect(() => out.commit()).toThrow();
    out.abort();
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(() => PrivateFile.create(file, {})).toThrow(`cannot write ${file}: EISDIR`);
  });

  it('a file in a directory that does not exist is a usage error naming it, before anything is written', () => {
    const file = path.join(temp.dir, 'missing', 'out.csv');
    expect(() => PrivateFile.create(file, {})).toThrow(UsageError);
    expect(() => PrivateFile.create(file, {})).toThrow(`cannot write ${file}: ENOENT`);
    expect(() => PrivateAppendFile.open(file, {})).toThrow(`cannot write ${file}: ENOENT`);
    expect(() => PrivateAppendFile.open(temp.dir, {})).toThrow(/EISDIR/);
  });

  it('an appended file is created 0600, or narrowed to 0600 if it existed wider; lines accumulate', () => {
    const fresh = path.join(temp.dir, 'fresh.ndjson');
    const log = PrivateAppendFile.open(fresh, {});
    log.appendLine('{"n":1}');
    log.appendLine('{"n":2}\n');
    log.close();
    expect(mode(fresh)).toBe('600');
    const older = path.join(temp.dir, 'older.ndjson');
    fs.writeFileSync(older, '{"n":0}\n', { mode: 0o644 });
    const again = PrivateAppendFile.open(older, {});
    expect(mode(older)).toBe('600');
    again.appendLine('{"n":1}');
    again.close();
    expect(fs.readFileSync(fresh, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(fs.readFileSync(older, 'utf8')).toBe('{"n":0}\n{"n":1}\n');
  });

  describe('never through a symlink, never onto the books or an input (issue 14 item 4)', () => {
    const books = () => {
      const database = path.join(temp.dir, 'books.db');
      fs.writeFileSync(database, 'the books');
      return database;
    };

    it('a symlink at the target is replaced by the committed file; what it pointed to is untouched', () => {
      const elsewhere = path.join(temp.dir, 'elsewhere.txt');
      fs.writeFileSync(elsewhere, 'keep me');
      const link = path.join(temp.dir, 'out.csv');
      fs.symlinkSync(elsewhere, link);
      const out = PrivateFile.create(link, {});
      out.write('new');
      out.commit();
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(link, 'utf8')).toBe('new');
      expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep me');
    });

    it('an appended file refuses a symlink at its path instead of following it', () => {
      const elsewhere = path.join(temp.dir, 'elsewhere.txt');
      fs.writeFileSync(elsewhere, 'keep me');
      const link = path.join(temp.dir, 'record.ndjson');
      fs.symlinkSync(elsewhere, link);
      expect(() => PrivateAppendFile.open(link, {})).toThrow(/it is a symlink/);
      expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep me');
    });

    it('refuses the database by path, hard link, symlink or symlinked folder, and its side files before they exist', () => {
      const database = books();
      const guard = { flag: '--out', database };
      const hard = path.join(temp.dir, 'hard.db');
      fs.linkSync(database, hard);
      const soft = path.join(temp.dir, 'soft.db');
      fs.symlinkSync(database, soft);
      const folder = path.join(temp.dir, 'folder');
      fs.symlinkSync(temp.dir, folder);
      for (const file of [database, hard, soft, path.join(folder, 'books.db')])
        expect(() => assertSafeOutput(file, guard), file).toThrow(/is the database/);
      expect(() => assertSafeOutput(`${database}-wal`, guard)).toThrow(
        `--out ${database}-wal is the database's -wal file`,
      );
      expect(() => assertSafeOutput(path.join(folder, 'books.db-journal'), guard)).toThrow(
        /the database's -journal file/,
      );
      expect(() => PrivateFile.create(hard, guard)).toThrow(UsageError);
      expect(() => PrivateAppendFile.open(database, guard)).toThrow(UsageError);
      expect(fs.readFileSync(database, 'utf8')).toBe('the books');
      expect(fs.readdirSync(temp.dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    });

    it('refuses the PSP state, an input and another output of the command; any other path is fine', () => {
      const state = path.join(temp.dir, 'books.psp-sim.db');
      const input = path.join(temp.dir, 'day.ndjson');
      fs.writeFileSync(input, '{}');
      const guard = {
        database: books(),
        pspState: state,
        inputs: [input],
        outputs: { '--out': path.join(temp.dir, 'day.csv') },
      };
      expect(() => assertSafeOutput(state, guard)).toThrow(/is the PSP state file/);
      expect(() => assertSafeOutput(`${state}-shm`, guard)).toThrow(
        /the PSP state file's -shm file/,
      );
      expect(() => assertSafeOutput(input, guard)).toThrow(/is an input of this command/);
      expect(() => assertSafeOutput(path.join(temp.dir, 'day.csv'), guard)).toThrow(
        /is also the --out file/,
      );
      expect(() =>
        assertSafeOutput(path.join(temp.dir, 'day.ndjson.rejects.ndjson'), guard),
      ).not.toThrow();
    });

    it('a symlinked database: the -wal, -shm, -journal and mark beside the real file are refused too', () => {
      const database = books();
      const link = path.join(temp.dir, 'link.db');
      fs.symlinkSync(database, link);
      const state = path.join(temp.dir, 'state.db');
      fs.writeFileSync(state, 'the PSP');
      const stateLink = path.join(temp.dir, 'state-link.db');
      fs.symlinkSync(state, stateLink);
      const guard = { flag: '--rejects', database: link, pspState: stateLink };
      expect(() => assertSafeOutput(`${database}-wal`, guard)).toThrow(
        `--rejects ${database}-wal is the database's -wal file`,
      );
      expect(() => assertSafeOutput(`${database}-shm`, guard)).toThrow(/the database's -shm file/);
      expect(() => assertSafeOutput(`${database}-journal`, guard)).toThrow(
        /the database's -journal file/,
      );
      expect(() => assertSafeOutput(`${database}.payops-mark`, guard)).toThrow(
        /the book's high-water mark/,
      );
      expect(() => assertSafeOutput(`${state}-wal`, guard)).toThrow(
        /the PSP state file's -wal file/,
      );
    });

    it('refuses to replace any SQLite database, -wal or -journal, or any high-water mark; a symlink to one is replaced, not followed', () => {
      const sqlite = (name: string, head: Buffer): string => {
        const file = path.join(temp.dir, name);
        fs.writeFileSync(file, Buffer.concat([head, Buffer.alloc(100)]));
        return file;
      };
      const backup = sqlite('backup.db', Buffer.from('SQLite format 3\0', 'latin1'));
      expect(() => assertSafeOutput(backup, { flag: '--out' })).toThrow(
        `--out ${backup} is an SQLite database; payops will not write over it`,
      );
      expect(() => PrivateFile.create(backup, {})).toThrow(UsageError);
      expect(() => PrivateAppendFile.open(backup, {})).toThrow(UsageError);
      expect(() =>
        assertSafeOutput(sqlite('x.db-wal', Buffer.from([0x37, 0x7f, 0x06, 0x82])), {}),
      ).toThrow(/write-ahead log/);
      expect(() =>
        assertSafeOutput(
          sqlite('x.db-journal', Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7])),
          {},
        ),
      ).toThrow(/rollback journal/);
      const mark = path.join(temp.dir, 'other.db.payops-mark');
      expect(() => assertSafeOutput(mark, {})).toThrow(/is a book's high-water mark/);
      fs.writeFileSync(mark, 'payops-mark/1');
      expect(() => PrivateFile.create(mark, {})).toThrow(/is a book's high-water mark/);
      const link = path.join(temp.dir, 'out.csv');
      fs.symlinkSync(backup, link);
      expect(() => assertSafeOutput(link, {})).not.toThrow();
      expect(() =>
        assertSafeOutput(sqlite('notes.txt', Buffer.from('SQLite format 2')), {}),
      ).not.toThrow();
      expect(fs.readFileSync(backup).subarray(0, 6).toString()).toBe('SQLite');
    });
  });
});

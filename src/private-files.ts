import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';

/**
 * Files payops writes (exports, settlement files, manifests, recorded webhooks) hold money data
 * and name people, so they are readable by their owner only: created 0600 whatever the umask,
 * and a file that existed with wider permissions is narrowed before anything is written to it.
 */
const OWNER_ONLY = 0o600;
const BUFFER_CHARS = 1 << 16;
const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

/**
 * What an output file must never be: the books (and the -wal, -shm and -journal files SQLite keeps
 * beside them), the PSP's state file (and its own), the inputs of the same command, and other
 * outputs of it. A command names them once; `PrivateFile.create` and `PrivateAppendFile.open`
 * refuse a path that is one of them.
 */
export interface OutputGuard {
  /** The flag that named the output (`--rejects`), for the message; none for a default path. */
  flag?: string;
  database?: string;
  pspState?: string;
  inputs?: readonly string[];
  /** Other files this command writes, by the flag that names them: `{ '--out': 'day.csv' }`. */
  outputs?: Readonly<Record<string, string>>;
}

const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

interface Protected {
  file: string;
  what: string;
}

/**
 * The path as given and, when it is (or passes through) a symlink, the real file's path too:
 * SQLite keeps -wal, -shm and -journal beside the real file, not beside the link.
 */
function givenAndReal(file: string | undefined): string[] {
  if (file === undefined) return [];
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return [file];
  }
  return real === path.resolve(file) ? [file] : [file, real];
}

function protectedFiles(guard: OutputGuard): Protected[] {
  const list: Protected[] = [];
  const withSideFiles = (file: string, what: string): void => {
    list.push({ file, what });
    for (const suffix of SQLITE_SIDE_FILES)
      list.push({ file: `${file}${suffix}`, what: `${what}'s ${suffix} file` });
  };
  for (const database of givenAndReal(guard.database)) {
    withSideFiles(database, 'the database');
    // The book's high-water mark (src/payments/book-mark.ts): overwritten, a restored book could no longer tell it is behind.
    list.push({ file: `${database}.payops-mark`, what: "the book's high-water mark" });
  }
  for (const state of givenAndReal(guard.pspState)) withSideFiles(state, 'the PSP state file');
  for (const input of guard.inputs ?? [])
    list.push({ file: input, what: 'an input of this command' });
  for (const [flag, output] of Object.entries(guard.outputs ?? {}))
    list.push({ file: output, what: `also the ${flag} file` });
  return list;
}

/** The path with its folder's symlinks resolved (the folder must exist); the name itself as given. */
function resolvedPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute));
  } catch {
    return absolute;
  }
}

/** Same file: same device and inode (a hard link, a symlink, /proc/self/fd/N), or the same resolved path. */
function sameFile(
  a: { path: string; stat: fs.Stats | undefined },
  b: { path: string; stat: fs.Stats | undefined },
): boolean {
  if (a.stat !== undefined && b.stat !== undefined)
    return a.stat.dev === b.stat.dev && a.stat.ino === b.stat.ino;
  return a.path === b.path;
}

function identify(file: string): {
  path: string;
  stat: fs.Stats | undefined;
  link: fs.Stats | undefined;
} {
  return {
    path: resolvedPath(file),
    stat: fs.statSync(file, { throwIfNoEntry: false }),
    link: fs.lstatSync(file, { throwIfNoEntry: false }),
  };
}

/**
 * Refuses (a UsageError, exit 2) an output path that is one of the files the guard protects (see
 * `assertNotProtected`), or an existing file that is any SQLite database, write-ahead log or
 * rollback journal (another book, a backup of one, a PSP state file: whichever program made it),
 * or any book's high-water mark. Checked before anything is read or written.
 */
export function assertSafeOutput(file: string, guard: OutputGuard): void {
  assertNotProtected(file, guard);
  const named = guard.flag === undefined ? file : `${guard.flag} ${file}`;
  const hint = 'name a new file for the output; move that one away first if you mean to replace it';
  if (path.basename(file).endsWith('.payops-mark'))
    throw new UsageError(`${named} is a book's high-water mark; payops will not write over it`, {
      hint,
    });
  const kind = sqliteKindOf(file);
  if (kind !== undefined)
    throw new UsageError(`${named} is ${kind}; payops will not write over it`, { hint });
}

/** The first bytes SQLite writes in a database, a -wal (either byte order) and a -journal. */
const SQLITE_MAGIC: readonly { bytes: Buffer; kind: string }[] = [
  { bytes: Buffer.from('SQLite format 3\0', 'latin1'), kind: 'an SQLite database' },
  { bytes: Buffer.from([0x37, 0x7f, 0x06, 0x82]), kind: "an SQLite database's write-ahead log" },
  { bytes: Buffer.from([0x37, 0x7f, 0x06, 0x83]), kind: "an SQLite database's write-ahead log" },
  {
    bytes: Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]),
    kind: "an SQLite database's rollback journal",
  },
];

/** What SQLite file is at `file` (itself, not a symlink's target: a link is replaced, never followed). */
function sqliteKindOf(file: string): string | undefined {
  if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() !== true) return undefined;
  const head = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return SQLITE_MAGIC.find(
      (magic) =>
        read >= magic.bytes.length && head.subarray(0, magic.bytes.length).equals(magic.bytes),
    )?.kind;
  } catch {
    // Unreadable: payops cannot tell it is not a database, so it is not replaced either.
    return 'a file payops cannot read to tell it is not a database';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Refuses (a UsageError, exit 2) a path that is, or is a symlink to, one of the files the guard
 * protects: writing there would destroy the books, the PSP's record or the input being read.
 * The PSP state file itself is checked with this alone: it is an SQLite file payops writes.
 */
export function assertNotProtected(file: string, guard: OutputGuard): void {
  const target = identify(file);
  const named = guard.flag === undefined ? file : `${guard.flag} ${file}`;
  for (const candidate of protectedFiles(guard)) {
    const other = identify(candidate.file);
    const followed = sameFile(target, other);
    const itself =
      target.link !== undefined &&
      other.link !== undefined &&
      target.link.dev === other.link.dev &&
      target.link.ino === other.link.ino;
    if (!followed && !itself) continue;
    const via = target.link?.isSymbolicLink()
      ? ` (through a symlink to ${fs.readlinkSync(file)})`
      : candidate.file === file
        ? ''
        : ` (${candidate.file})`;
    throw new UsageError(`${named} is ${candidate.what}${via}; payops will not write over it`, {
      hint:
        candidate.what.startsWith('an input') || candidate.what.startsWith('also')
          ? 'name another file for the output'
          : 'name a file of its own for the output, away from the books',
    });
  }
}

/** After a rename, the folder's entry is durable only once the folder itself is synced. */
function syncFolder(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.dirname(path.resolve(file)), O_RDONLY | O_DIRECTORY);
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a folder (EINVAL); the rename itself has happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Why a file cannot be opened, as a usage error naming it: the path is the person's to fix. */
function cannotWrite(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP')
    return new UsageError(
      `cannot write ${file}: it is a symlink, and payops appends only to the file itself`,
      { hint: 'name the file itself, not a link to it' },
    );
  return new UsageError(`cannot write ${file}: ${code ?? (error as Error).message}`, {
    hint:
      code === 'EISDIR'
        ? 'it is a directory: name a file'
        : 'check that its directory exists and that you may write there',
  });
}

/**
 * A whole file written under a temporary name beside it and renamed into place by `commit()`:
 * a run that fails half way (disk full, an error, a kill) never leaves a partial file that a tool
 * could read as complete, and the file it would have replaced stays as it was.
 */
export class PrivateFile {
  private fd: number;
  private temporary: string | undefined;
  private buffer: string[] = [];
  private buffered = 0;

  private constructor(
    readonly file: string,
    fd: number,
    temporary: string,
  ) {
    this.fd = fd;
    this.temporary = temporary;
  }

  /**
   * Opens the temporary file (created new, never through a symlink); throws a UsageError naming
   * `file` if its directory cannot take it or if `guard` protects it. A symlink at `file` is
   * replaced by the rename, never followed.
   */
  static create(file: string, guard: OutputGuard): PrivateFile {
    assertSafeOutput(file, guard);
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory())
      throw cannotWrite(file, Object.assign(new Error('a directory'), { code: 'EISDIR' }));
    // Random as well as the pid: a file left by a killed run whose pid comes round again never blocks.
    const temporary = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`,
    );
    let fd: number;
    try {
      fd = fs.openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY);
    } catch (error) {
      throw cannotWrite(file, error);
    }
    return new PrivateFile(file, fd, temporary);
  }

  write(text: string): void {
    if (this.temporary === undefined)
      throw new Error(`${this.file}: written after it was committed or aborted`);
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= BUFFER_CHARS) this.flush();
  }

  /** Complete: flushed, synced and renamed over `file` (whatever mode a file there had). */
  commit(): void {
    if (this.temporary === undefined)
      throw new Error(`${this.file}: committed twice, or after an abort`);
    this.flush();
    fs.fsyncSync(this.fd);
    this.close();
    fs.renameSync(this.temporary, this.file);
    this.temporary = undefined;
    syncFolder(this.file);
  }

  /** Failed (a commit that failed included): the temporary file goes; `file` is untouched. Safe to call more than once. */
  abort(): void {
    if (this.temporary === undefined) return;
    this.close();
    fs.rmSync(this.temporary, { force: true });
    this.temporary = undefined;
  }

  private close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private flush(): void {
    if (this.buffered === 0) return;
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.buffered = 0;
  }
}

/**
 * A file appended to line by line (recorded webhook deliveries): opened once, created 0600 or
 * narrowed to 0600 if it existed wider, each line written whole with one write. Appending needs
 * the file that is there, so a symlink at its path is refused (O_NOFOLLOW), not replaced.
 */
export class PrivateAppendFile {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(file: string, guard: OutputGuard): PrivateAppendFile {
    assertSafeOutput(file, guard);
    let fd: number;
    try {
      fd = fs.openSync(file, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, OWNER_ONLY);
      fs.fchmodSync(fd, OWNER_ONLY);
    } catch (error) {
      throw cannotWrite(file, error);
    }
    return new PrivateAppendFile(file, fd);
  }

  appendLine(line: string): void {
    if (this.fd === undefined) throw new Error(`${this.file}: appended to after it was closed`);
    fs.writeSync(this.fd, line.endsWith('\n') ? line : `${line}\n`);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

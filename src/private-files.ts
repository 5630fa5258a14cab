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

/** Why a file cannot be opened, as a usage error naming it: the path is the person's to fix. */
function cannotWrite(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  return new UsageError(`cannot write ${file}: ${code ?? (error as Error).message}`, {
    hint: code === 'EISDIR' ? 'it is a directory: name a file' : 'check that its directory exists and that you may write there',
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

  private constructor(readonly file: string, fd: number, temporary: string) {
    this.fd = fd;
    this.temporary = temporary;
  }

  /** Opens the temporary file; throws a UsageError naming `file` if its directory cannot take it. */
  static create(file: string): PrivateFile {
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw cannotWrite(file, Object.assign(new Error('a directory'), { code: 'EISDIR' }));
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
    let fd: number;
    try {
      fd = fs.openSync(temporary, 'wx', OWNER_ONLY);
    } catch (error) {
      throw cannotWrite(file, error);
    }
    return new PrivateFile(file, fd, temporary);
  }

  write(text: string): void {
    if (this.temporary === undefined) throw new Error(`${this.file}: written after it was committed or aborted`);
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= BUFFER_CHARS) this.flush();
  }

  /** Complete: flushed, synced and renamed over `file` (whatever mode a file there had). */
  commit(): void {
    if (this.temporary === undefined) throw new Error(`${this.file}: committed twice, or after an abort`);
    this.flush();
    fs.fsyncSync(this.fd);
    this.close();
    fs.renameSync(this.temporary, this.file);
    this.temporary = undefined;
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
 * narrowed to 0600 if it existed wider, each line written whole with one write.
 */
export class PrivateAppendFile {
  private fd: number | undefined;

  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
  }

  static open(file: string): PrivateAppendFile {
    let fd: number;
    try {
      fd = fs.openSync(file, 'a', OWNER_ONLY);
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

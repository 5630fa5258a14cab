import os from 'node:os';

/** Who decides: the OS user (a container without a passwd entry falls back to $USER). */
export function operator(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

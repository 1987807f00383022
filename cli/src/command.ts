import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The contract every `brazesync` sub-command implements; `main.ts` only dispatches. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /**
   * Holds a large live heap by design (the local Braze server keeps every profile it is sent), so
   * V8 keeps its default heap growth: bounding it would mean a full collection of that whole heap
   * every few megabytes.
   */
  largeHeap?: boolean;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit codes shared by all commands (documented in the README). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  partial: 3,
} as const;

/** `parseArgs` from node:util, its complaints (unknown option, missing value) reported as usage errors. */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

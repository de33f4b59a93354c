import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import winston from 'winston';
import { journalPriority } from './journald.js';
import { RotatingFileTransport } from './rotating-file.js';
import { redactValue } from './redact.js';

/** The logger every module receives; winston's, so structured metadata goes as the second argument. */
export type Logger = winston.Logger;

/** The JSON log file and its size-based rotation. */
export interface LogFileOptions {
  /** The file being written; rotated copies go beside it (`<path>.1` the newest, …). */
  readonly path: string;
  /** The size at which the file is rotated. */
  readonly maxSizeBytes: number;
  /** How many files are kept in all, the one being written included; the oldest goes first. */
  readonly keep: number;
}

/** The file's rotation when only a data directory is given: 10 MiB, 5 files. */
export const DEFAULT_LOG_FILE = { maxSizeBytes: 10 * 1024 * 1024, keep: 5 } as const;

/** Where and how much to log. */
export interface LoggerOptions {
  /** Directory for `logs/posbridge.log` (JSON lines, rotated as DEFAULT_LOG_FILE); no file when absent. */
  readonly dataDir?: string;
  /** The JSON log file with its rotation (takes the place of `dataDir`'s); null: no file. */
  readonly file?: LogFileOptions | null;
  /** Console lines for systemd's journal: "<priority>message {meta}" on stderr, no timestamp (the journal adds it). */
  readonly journald?: boolean;
  /** Minimum level for the file; default 'info'. */
  readonly level?: string;
  /** Minimum level for readable console output on stderr; 'silent' for none. Default 'warn'. */
  readonly consoleLevel?: string;
  /** Extra transports (tests use a stream to read what was logged). */
  readonly transports?: winston.transport[];
}

/** The one redacting formatter: every record passes through it before any transport sees it. */
export const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    (info as Record<string, unknown>)[key] = redactValue(info[key], key);
  }
  return info;
});

/** The log file a logger with these options writes, if any. */
export function logFileOf(options: LoggerOptions): LogFileOptions | null {
  if (options.file !== undefined) return options.file;
  if (!options.dataDir) return null;
  return { path: join(options.dataDir, 'logs', 'posbridge.log'), ...DEFAULT_LOG_FILE };
}

/** Builds the process logger: redacted JSON lines to a rotated file, readable (or journald) lines on stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const transports: winston.transport[] = [...(options.transports ?? [])];
  const file = logFileOf(options);
  if (file) {
    mkdirSync(dirname(file.path), { recursive: true });
    transports.push(new RotatingFileTransport(file));
  }
  const consoleLevel = options.consoleLevel ?? 'warn';
  if (consoleLevel !== 'silent') {
    transports.push(
      new winston.transports.Console({
        level: consoleLevel,
        stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
        format: winston.format.printf((info) => {
          const { level, message, timestamp, ...meta } = info;
          const extra = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
          // One record, one journal entry: a line break inside the message would start an entry without the priority.
          if (options.journald) return `<${journalPriority(level)}>${String(message).replace(/\n/g, '\\n')}${extra}`;
          return `${String(timestamp)} ${level}: ${String(message)}${extra}`;
        }),
      }),
    );
  }
  return winston.createLogger({
    level: options.level ?? 'info',
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports,
    silent: transports.length === 0,
  });
}

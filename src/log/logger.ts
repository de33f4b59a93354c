import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import winston from 'winston';
import { redactValue } from './redact.js';

/** The logger every module receives; winston's, so structured metadata goes as the second argument. */
export type Logger = winston.Logger;

/** Where and how much to log. */
export interface LoggerOptions {
  /** Directory for `posbridge.log` (JSON lines); no file when absent. */
  readonly dataDir?: string;
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

/** Builds the process logger: redacted JSON lines to a file, readable lines on stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const transports: winston.transport[] = [...(options.transports ?? [])];
  if (options.dataDir) {
    const dir = join(options.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    transports.push(
      new winston.transports.File({ filename: join(dir, 'posbridge.log'), maxsize: 10 * 1024 * 1024, maxFiles: 5, tailable: true }),
    );
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

// The daemon config's `log` section (docs/configuration.md): the JSON log file, its size-based rotation, the level;
// and how the daemon logs when systemd runs it (journald on stderr, no file unless the section names one).
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { LoggerOptions } from '../log/logger.js';

/** The `log` section as written (all optional). */
export interface LogConfig {
  /** true: `<dataDir>/logs/posbridge.log`; false: no file; a path: that file. Absent: a file unless run by journald. */
  readonly file?: boolean | string;
  /** The size in MiB at which the file is rotated (default 10). */
  readonly maxSizeMB: number;
  /** Files kept in all, the one being written included (default 5). */
  readonly keep: number;
  /** The lowest level logged: "error", "warn", "info" (default) or "debug". */
  readonly level: 'error' | 'warn' | 'info' | 'debug';
}

const LEVELS: readonly LogConfig['level'][] = ['error', 'warn', 'info', 'debug'];
const KEYS = ['file', 'maxSizeMB', 'keep', 'level'];

/** Validates the `log` section, filling defaults; ConfigError names the bad key. */
export function parseLogSection(v: unknown): LogConfig {
  if (v === undefined) return { maxSizeMB: 10, keep: 5, level: 'info' };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('log', 'must be {"file"?, "maxSizeMB"?, "keep"?, "level"?}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new ConfigError(`log.${k}`, `unknown key (known: ${KEYS.join(', ')})`);
  if (o.file !== undefined && typeof o.file !== 'boolean' && (typeof o.file !== 'string' || o.file === '')) throw new ConfigError('log.file', 'must be true, false or a file path');
  const maxSizeMB = o.maxSizeMB ?? 10;
  if (typeof maxSizeMB !== 'number' || !(maxSizeMB > 0) || maxSizeMB > 10_240) throw new ConfigError('log.maxSizeMB', 'must be a number of MiB above 0 (at most 10240)');
  const keep = o.keep ?? 5;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep > 1000) throw new ConfigError('log.keep', 'must be an integer 1..1000 (files kept, the current one included)');
  const level = o.level ?? 'info';
  if (!LEVELS.includes(level as LogConfig['level'])) throw new ConfigError('log.level', `must be one of ${LEVELS.join(', ')}`);
  return { ...(o.file !== undefined ? { file: o.file as boolean | string } : {}), maxSizeMB, keep, level: level as LogConfig['level'] };
}

/**
 * The daemon's logger options from its `log` section: under systemd's journal (`journald`) records go to stderr in
 * the journal's form and no file is written unless `file` asks for one; otherwise the file is on by default.
 */
export function daemonLoggerOptions(log: LogConfig, dataDir: string, journald: boolean): LoggerOptions {
  const wanted = log.file ?? !journald;
  const path = typeof wanted === 'string' ? wanted : join(dataDir, 'logs', 'posbridge.log');
  return {
    file: wanted === false ? null : { path, maxSizeBytes: Math.round(log.maxSizeMB * 1024 * 1024), keep: log.keep },
    level: log.level,
    consoleLevel: log.level,
    journald,
  };
}

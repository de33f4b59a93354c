import type { Db } from './database.js';

/**
 * The next value of a durable counter that wraps from `max` back to 1 (STAN 000001–999999, ISO 8583 field 11).
 * Atomic: committed before it is returned, so a restart never reuses a value.
 */
export function nextCounter(db: Db, name: string, max: number): number {
  const row = db
    .prepare(`INSERT INTO counters (name, value) VALUES (?, 1)
              ON CONFLICT (name) DO UPDATE SET value = CASE WHEN value >= ? THEN 1 ELSE value + 1 END
              RETURNING value`)
    .get(name, max) as { value: number };
  return row.value;
}

/** The next system trace audit number, six digits. */
export function nextStan(db: Db): string {
  return String(nextCounter(db, 'stan', 999999)).padStart(6, '0');
}

/**
 * The next retrieval reference number (field 37, an12): the date as YDDD, the hour, and a durable 6-digit sequence,
 * so it is unique per terminal across restarts.
 */
export function nextRrn(db: Db, now: Date): string {
  const start = Date.UTC(now.getUTCFullYear(), 0, 0);
  const day = Math.floor((now.getTime() - start) / 86_400_000);
  const seq = nextCounter(db, 'rrn', 999_999);
  return `${now.getUTCFullYear() % 10}${String(day).padStart(3, '0')}${String(now.getUTCHours()).padStart(2, '0')}${String(seq).padStart(6, '0')}`;
}

// Small helpers for benchmarks: medians and a uniform report line.

/** The median of the values. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0..100) of the values. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Prints one benchmark result line: name, numbers, ratio against the baseline and the target verdict. */
export function report(name: string, fields: Record<string, string | number>, ratio: number, target: string, ok: boolean): void {
  const f = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(' ');
  process.stdout.write(`${name}: ${f} ratio=${ratio.toFixed(3)} target ${target} ${ok ? 'MET' : 'MISSED'}\n`);
}

// The `metrics` section of the daemon's configuration: where the Prometheus endpoint listens (off when absent).
import { ConfigError } from '../config/config-error.js';
import { isLoopback } from '../nexo/nexo-config.js';

/** The Prometheus endpoint (/metrics, /healthz, /readyz) on a port of its own; off when the section is absent. */
export interface MetricsConfig {
  /** The address it listens on: "127.0.0.1" unless given (another address lets a Prometheus elsewhere scrape it). */
  readonly bind: string;
  /** Its TCP port (0 picks a free one); never the API's. */
  readonly port: number;
}

/** 9464: the port OpenTelemetry's Prometheus exporter listens on by default, so a scrape config may already name it. */
export const DEFAULT_METRICS_PORT = 9464;

/** Validates the `metrics` section (undefined: endpoint off); ConfigError names the bad key. */
export function parseMetricsConfig(v: unknown, apiPort: number): MetricsConfig | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('metrics', 'must be {"bind": "127.0.0.1", "port": 9464}, or absent (off)');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'bind' && k !== 'port') throw new ConfigError(`metrics.${k}`, 'unknown key (known: bind, port)');
  const port = o.port ?? DEFAULT_METRICS_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('metrics.port', 'must be an integer 0..65535');
  if (port !== 0 && port === apiPort) throw new ConfigError('metrics.port', `must differ from the API port ${apiPort}: the endpoint has a server of its own`);
  const bind = o.bind ?? '127.0.0.1';
  if (typeof bind !== 'string' || !/^[0-9A-Za-z.:-]{1,253}$/.test(bind)) throw new ConfigError('metrics.bind', 'must be an address such as "127.0.0.1" (or "0.0.0.0" for a Prometheus on another machine)');
  return { bind, port };
}

/** True when the endpoint can be reached from other machines (the daemon logs a warning at start). */
export function metricsExposed(c: MetricsConfig): boolean {
  return !isLoopback(c.bind);
}

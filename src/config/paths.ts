import { homedir } from 'node:os';
import { join } from 'node:path';

/** The environment facts the data directory depends on (passed in, so tests can ask for any OS). */
export interface PathEnv {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
}

/** The current process's platform, environment and home directory. */
export function currentPathEnv(): PathEnv {
  return { platform: process.platform, env: process.env, home: homedir() };
}

/**
 * posbridge's data directory by OS convention: POSBRIDGE_DATA_DIR when set; Windows %PROGRAMDATA%\posbridge;
 * macOS ~/Library/Application Support/posbridge; elsewhere $XDG_STATE_HOME/posbridge or ~/.local/state/posbridge.
 */
export function defaultDataDir(p: PathEnv = currentPathEnv()): string {
  const override = p.env.POSBRIDGE_DATA_DIR;
  if (override) return override;
  if (p.platform === 'win32') return join(p.env.PROGRAMDATA ?? p.env.ALLUSERSPROFILE ?? join(p.home, 'AppData', 'Local'), 'posbridge');
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support', 'posbridge');
  return join(p.env.XDG_STATE_HOME ?? join(p.home, '.local', 'state'), 'posbridge');
}

/**
 * posbridge's configuration directory by OS convention, where `posbridge init` writes config.json and the backup key
 * lives by default (outside the data directory, so a backup never holds its own key): POSBRIDGE_CONFIG_DIR when set;
 * Windows %PROGRAMDATA%\\posbridge\\config; macOS ~/Library/Preferences/posbridge; elsewhere $XDG_CONFIG_HOME/posbridge
 * or ~/.config/posbridge. Never the data directory (on Windows and macOS that is the folder above or beside it).
 */
export function defaultConfigDir(p: PathEnv = currentPathEnv()): string {
  const override = p.env.POSBRIDGE_CONFIG_DIR;
  if (override) return override;
  if (p.platform === 'win32') return join(p.env.PROGRAMDATA ?? p.env.ALLUSERSPROFILE ?? join(p.home, 'AppData', 'Local'), 'posbridge', 'config');
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Preferences', 'posbridge');
  return join(p.env.XDG_CONFIG_HOME ?? join(p.home, '.config'), 'posbridge');
}

/** Where `posbridge init` writes the daemon's configuration by default: POSBRIDGE_CONFIG, else config.json in defaultConfigDir. */
export function defaultConfigFile(p: PathEnv = currentPathEnv()): string {
  return p.env.POSBRIDGE_CONFIG || join(defaultConfigDir(p), 'config.json');
}

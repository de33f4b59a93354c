// The data directory and the configuration file by OS convention, for any OS (the environment is passed in).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfigFile, defaultDataDir, type PathEnv } from '../../src/config/paths.js';

const at = (platform: NodeJS.Platform, env: Record<string, string> = {}): PathEnv => ({ platform, env, home: '/home/till' });

test('the configuration file: POSBRIDGE_CONFIG, else Windows ProgramData, macOS Preferences, XDG elsewhere', () => {
  assert.equal(defaultConfigFile(at('linux', { POSBRIDGE_CONFIG: '/etc/posbridge/config.json' })), '/etc/posbridge/config.json');
  assert.equal(defaultConfigFile(at('linux')), '/home/till/.config/posbridge/config.json');
  assert.equal(defaultConfigFile(at('linux', { XDG_CONFIG_HOME: '/srv/cfg' })), '/srv/cfg/posbridge/config.json');
  assert.equal(defaultConfigFile(at('darwin')), '/home/till/Library/Preferences/posbridge/config.json');
  assert.match(defaultConfigFile(at('win32', { PROGRAMDATA: 'C:\\ProgramData' })), /^C:\\ProgramData[\\/]posbridge[\\/]config[\\/]config\.json$/);
});

test('the data directory: POSBRIDGE_DATA_DIR, else XDG state on Linux', () => {
  assert.equal(defaultDataDir(at('linux', { POSBRIDGE_DATA_DIR: '/var/lib/posbridge' })), '/var/lib/posbridge');
  assert.equal(defaultDataDir(at('linux')), '/home/till/.local/state/posbridge');
});

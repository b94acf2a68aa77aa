/**
 * The OS keyring (macOS Keychain, Windows Credential Manager, Secret Service on Linux desktops)
 * through @napi-rs/keyring. On Linux the entry is pinned to the Secret Service: the binding would
 * otherwise fall back to the kernel keyutils keyring, which forgets keys after a reboot or a few
 * days, and a forgotten master key loses every credential. On a headless Linux box there is no
 * Secret Service: every call fails, and the vault falls back to a key file without a word.
 */
import { createRequire } from 'node:module';

export interface KeyringAccess {
  /** The stored value, or null when there is none or the keyring cannot be reached. */
  get(account: string): string | null;
  /** Throws when the keyring cannot store the value. */
  set(account: string, value: string): void;
  delete(account: string): void;
}

export const KEYRING_SERVICE = 'skynette';

type KeyringModule = typeof import('@napi-rs/keyring');

let loaded: KeyringModule | null | undefined;

function keyringModule(): KeyringModule | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
    } catch {
      // no native binding for this platform: behave as if there were no keyring
      loaded = null;
    }
  }
  return loaded;
}

export function osKeyring(service = KEYRING_SERVICE): KeyringAccess | null {
  const mod = keyringModule();
  if (!mod) return null;
  const entry = (account: string) => new mod.Entry(service, account, { linux: { store: 'secret-service' } });
  return {
    get(account) {
      try {
        return entry(account).getPassword() ?? null;
      } catch {
        return null;
      }
    },
    set(account, value) {
      entry(account).setPassword(value);
    },
    delete(account) {
      try {
        entry(account).deletePassword();
      } catch {
        // nothing stored, or no keyring: nothing to delete
      }
    },
  };
}

const OFF = new Set(['0', 'off', 'false', 'no']);

/**
 * The keyring to use by default: none when SKYNETTE_KEYRING=off, and none under the test runner
 * (SKYNETTE_TEST=1) so test vaults in temporary directories never land in a developer's keyring.
 */
export function defaultKeyring(env: NodeJS.ProcessEnv): KeyringAccess | null {
  if (OFF.has((env.SKYNETTE_KEYRING ?? '').trim().toLowerCase())) return null;
  if (env.SKYNETTE_TEST === '1') return null;
  return osKeyring();
}

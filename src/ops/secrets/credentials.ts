import type { Clock } from '../../core/clock.js';
import type { SealedSecret, SecretBox } from './secretBox.js';

/** Where sealed credentials are kept; the storage adapter's `BrokerCredentialRepository` implements it. */
export interface SealedSecretStore {
  /** inserts or replaces the blob stored under `name` */
  put(name: string, sealed: SealedSecret, updatedAtMs: number): Promise<void>;
  get(name: string): Promise<SealedSecret | undefined>;
  /** every stored name, sorted */
  names(): Promise<readonly string[]>;
  /** whether a blob was stored under `name` */
  remove(name: string): Promise<boolean>;
}

/**
 * The AAD a credential is sealed with: its name, so a blob copied under another name (or into another
 * kind of secret) fails to open instead of handing out the wrong credential.
 */
export function credentialAad(name: string): string {
  return `indexflow:broker-credential:${name}`;
}

/**
 * Broker credentials (API key, client PIN, TOTP seed, …) encrypted at rest: plaintext goes in and comes
 * out here, only sealed blobs reach the store.
 */
export class BrokerCredentialVault {
  constructor(
    private readonly box: SecretBox,
    private readonly store: SealedSecretStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async put(name: string, plaintext: string): Promise<void> {
    await this.store.put(name, this.box.seal(plaintext, credentialAad(name)), this.clock.now());
  }

  /** The plaintext, undefined when nothing is stored; IF_ERR_SECRET_DECRYPT on another key or tampering. */
  async get(name: string): Promise<string | undefined> {
    const sealed = await this.store.get(name);
    return sealed === undefined
      ? undefined
      : this.box.open(sealed, credentialAad(name), `credential ${name}`);
  }

  names(): Promise<readonly string[]> {
    return this.store.names();
  }

  remove(name: string): Promise<boolean> {
    return this.store.remove(name);
  }

  /** Names sealed under another key than the current one: they must be entered again after a key change. */
  async sealedUnderOtherKey(): Promise<string[]> {
    const stale: string[] = [];
    for (const name of await this.store.names()) {
      const sealed = await this.store.get(name);
      if (sealed !== undefined && sealed.keyId !== this.box.keyId) stale.push(name);
    }
    return stale;
  }
}

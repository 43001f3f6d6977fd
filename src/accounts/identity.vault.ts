import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { decodeKey32 } from '../platform/config.ts';

/**
 * Identity data at rest (S2): ID numbers and real names are sealed with AES-256-GCM, and ID numbers
 * are found again (uniqueness across accounts) through an HMAC-SHA256, never by decrypting rows.
 *
 * A sealed value is `v1.<key id>.<iv>.<ciphertext + tag>` (base64url). The key id says which key
 * sealed it, so a rotation can run while both keys are configured: IDENTITY_KEY seals, and
 * IDENTITY_KEY_PREVIOUS still opens. The additional data binds a value to its row and field, so a
 * sealed number copied into another user's row (or into the name column) does not open.
 *
 * Both the encryption key and the hash key are derived (HKDF) from IDENTITY_KEY. Rotating it
 * therefore changes every hash too: while rotating, lookups try the hash under both keys, and the
 * rekey job rewrites each row's sealed values and hash together (docs/SECURITY.md).
 */

interface Key {
  id: string;
  enc: Buffer;
  mac: Buffer;
}

function deriveKey(text: string): Key {
  const ikm = decodeKey32(text);
  if (!ikm) throw new Error('identity key: must be 32 bytes as hex or base64');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
  // The id names the key without revealing it: an HMAC of a fixed label, cut short.
  const id = createHmac('sha256', ikm).update('arena identity key id').digest('hex').slice(0, 8);
  return { id, enc: derive('arena identity encryption v1'), mac: derive('arena identity hash v1') };
}

const VERSION = 'v1';

export class IdentityVault {
  private readonly current: Key;
  private readonly previous?: Key;

  constructor(deps: { key: string; previousKey?: string }) {
    this.current = deriveKey(deps.key);
    const previous = deps.previousKey ? deriveKey(deps.previousKey) : undefined;
    if (previous && previous.id !== this.current.id) this.previous = previous;
  }

  /** The id of the key new values are sealed with. */
  get keyId(): string {
    return this.current.id;
  }

  /** `context` names the row and field (`<userId>:id`): the value opens only there. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.enc, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.current.id}.${context}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.current.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was sealed by an unknown key, altered, or sealed for another context. */
  open(sealed: string, context: string): string {
    const [version, keyId, iv, body] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || !body) throw new Error('identity vault: not a sealed value');
    const key = this.keyById(keyId);
    if (!key) throw new Error(`identity vault: sealed with key ${keyId}, which is not configured`);
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key.enc, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${version}.${keyId}.${context}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }

  /** The key id a value was sealed with. */
  keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }

  /** The uniqueness hash under the current key. */
  hash(idNumber: string): string {
    return createHmac('sha256', this.current.mac).update(idNumber).digest('hex');
  }

  /** The hashes a stored row of this number may carry: current key first, then the previous one. */
  hashes(idNumber: string): string[] {
    const all = [this.hash(idNumber)];
    if (this.previous) all.push(createHmac('sha256', this.previous.mac).update(idNumber).digest('hex'));
    return all;
  }

  private keyById(id: string): Key | undefined {
    if (id === this.current.id) return this.current;
    if (id === this.previous?.id) return this.previous;
    return undefined;
  }
}

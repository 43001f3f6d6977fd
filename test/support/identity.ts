/**
 * Test identities: valid resident ID numbers (GB 11643 check character computed here, so tests never
 * carry a real person's number) and the refusal of a game-room join.
 */
import assert from 'node:assert/strict';
import { sdkClient } from './colyseus.ts';
import type { TestServer } from './server.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

let seq = 0;

/** A well-formed ID number born on `birth` (YYYY-MM-DD); each call gives a new sequence number. */
export function idNumber(birth: string, opts: { region?: string; sequence?: number } = {}): string {
  seq += 1;
  const sequence = String(opts.sequence ?? ((process.pid + seq) % 1000)).padStart(3, '0');
  const first17 = `${opts.region ?? '110101'}${birth.replaceAll('-', '')}${sequence}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return `${first17}${CHECK[sum % 11]}`;
}

/** The same number with a wrong check character. */
export function withWrongCheck(id: string): string {
  const right = id[17]!;
  const wrong = CHECK.split('').find((c) => c !== right)!;
  return `${id.slice(0, 17)}${wrong}`;
}

/**
 * A refused game-room join (API.md "Rooms"): the SDK rejects with the HTTP status of the matchmaking
 * call as `code` and the body's sentence, which starts with the error code; the body itself carries
 * the contract close code. Both are checked, the body through a bare matchmaking request.
 */
export async function expectJoinRefused(server: TestServer, token: string, expected: { status: number; closeCode: number; code: string }): Promise<void> {
  let err: any;
  try {
    const room = await sdkClient(server, token).joinOrCreate('game', { mode: 'duel' });
    await room.leave();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `join was expected to be refused with ${expected.code}`);
  assert.equal(err.code, expected.status, `refused with ${err.code}: ${err.message}`);
  assert.match(String(err.message), new RegExp(`^${expected.code}: `));
  const res = await fetch(`${server.url}/matchmake/joinOrCreate/game`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ mode: 'duel' }),
  });
  assert.equal(res.status, expected.status);
  const body = await res.json() as { code: number; error: string };
  assert.equal(body.code, expected.closeCode);
  assert.match(body.error, new RegExp(`^${expected.code}: `));
}

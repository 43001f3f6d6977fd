/**
 * Test identities: valid resident ID numbers (GB 11643 check character computed here, so tests never
 * carry a real person's number) and the refusal shape of a game-room join.
 */
import assert from 'node:assert/strict';
import type { Room } from '@colyseus/sdk';

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
 * A refused game-room join. Today the SDK rejects with the room's ServerError (the close code in
 * `code`); with matchmaking refusals answered over HTTP it rejects with the HTTP status in `code` and
 * the body's close code beside it. Either shape passes, and the message names the error code.
 */
export async function expectJoinRefused(promise: Promise<Room<any>>, expected: { status: number; closeCode: number; code: string }): Promise<void> {
  let err: any;
  try {
    const room = await promise;
    await room.leave();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `join was expected to be refused with ${expected.code}`);
  assert.ok([expected.status, expected.closeCode].includes(err.code), `refused with code ${err.code} (${err.message}), expected ${expected.closeCode} or ${expected.status}`);
  assert.match(String(err.message), new RegExp(expected.code), `the refusal names ${expected.code}: ${err.message}`);
}

import assert from 'node:assert/strict';
import { startServer } from '../support/server.ts';
import { registerUser, login } from '../support/users.ts';
import { adminMail, adminToken } from './support.ts';
import { freePort } from '../support/cluster.ts';

/** A claim is all or nothing even when the process dies in the middle of a burst of them (kill -9). */
describe('mail: exactly-once claims across a crash', function () {
  this.timeout(120_000);

  it('never grants a reward without marking its mail claimed, nor the reverse, and never twice', async () => {
    // The same port: the restart takes over the crashed process's slot in the process registry.
    // Every mail of the test in the `GET /mail` listing (30 by default).
    const env = { PORT: String(await freePort()), MAIL_SHOWN: '50' };
    const first = await startServer({ keepDatabase: true, env });
    let second;
    try {
      const admin = await adminToken(first);
      const user = await registerUser(first);
      // 40 mails (under the 50 a mailbox holds), claimed 4 at a time, and the process killed as soon
      // as the first claim is answered: 4 claims are in flight, and most were never sent. (With all
      // 25 sent at once, a fast machine had committed every one before the kill landed.)
      const MAILS = 40;
      const ids: string[] = [];
      for (let i = 0; i < MAILS; i++) ids.push((await adminMail(first, admin, { to: [user.id], attachments: [{ item: 'gold', amount: 1 }] })).body.id);
      let answered!: () => void;
      const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
      let killed = false;
      let next = 0;
      const claimers = Array.from({ length: 4 }, async () => {
        while (!killed && next < ids.length) {
          const id = ids[next++]!;
          await first.api('POST', `mail/${id}/claim`, undefined, { token: user.accessToken }).then(answered, () => undefined);
        }
      });
      await Promise.race([firstAnswer, new Promise((r) => setTimeout(r, 10_000))]);
      killed = true;
      assert.equal(await first.stop('SIGKILL'), null);
      await Promise.all(claimers);

      second = await startServer({ databaseUrl: first.databaseUrl, env });
      const token = (await login(second, user)).body.accessToken;
      const mails = (await second.api('GET', 'mail', undefined, { token })).body.mails as { id: string; claimedAt: string | null }[];
      const claimed = mails.filter((m) => ids.includes(m.id) && m.claimedAt).length;
      const gold = (await second.api('GET', 'me/game', undefined, { token })).body.inventory.gold ?? 0;
      assert.equal(gold, claimed, `${claimed} mails marked claimed, ${gold} gold granted`);
      assert.ok(claimed >= 1 && claimed < MAILS, `the crash came in the middle of the burst (${claimed} of ${MAILS} claimed)`);
      // Whatever the crash left unclaimed can be claimed now, once.
      for (const id of ids) {
        const res = await second.api('POST', `mail/${id}/claim`, undefined, { token });
        assert.ok(res.status === 200 || res.body.error?.code === 'ALREADY_CLAIMED', res.text);
      }
      assert.equal((await second.api('GET', 'me/game', undefined, { token })).body.inventory.gold, MAILS);
    } finally {
      await second?.stop();
      await first.dropDatabase();
    }
  });
});

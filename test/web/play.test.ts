import assert from 'node:assert/strict';
import { adminToken, newPhone, registerUser } from '../support/users.ts';
import { openPage, PHONE_VIEWPORT, screenshot, submitPlayLogin, useBrowser, type WatchedPage } from './support.ts';

/** Registers through the page: phone, "Send code" (the dev code is filled in), password, name. */
async function registerOnPage(w: WatchedPage, name: string): Promise<void> {
  const { page } = w;
  await page.getByRole('tab', { name: 'Register' }).click();
  const form = page.getByTestId('register-form');
  await form.getByLabel('Phone').fill(newPhone());
  await form.getByRole('button', { name: 'Send code' }).click();
  await page.getByTestId('dev-code').waitFor();
  await form.getByLabel('Password').fill('a long password');
  await form.getByLabel('Name (optional)').fill(name);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('me').getByText(name).waitFor();
  await page.getByTestId('stream-state').getByText('live').waitFor();
}

async function logInOnPage(w: WatchedPage, user: { phone: string; password: string; name: string }): Promise<void> {
  await submitPlayLogin(w, user);
  await w.page.getByTestId('me').getByText(user.name).waitFor();
}

const cell = (w: WatchedPage, i: number) => w.page.locator(`[data-cell="${i}"]`);

describe('/play in a browser: register, lobby, rooms, tic-tac-toe, mail', function () {
  this.timeout(120_000);
  const { server, browser } = useBrowser({ BCRYPT_COST: '4', LOBBY_PUSH_MS: '200' });

  it('two players meet in the lobby, chat in one room and play tic-tac-toe to a win', async () => {
    const alice = await openPage(browser, server, '/play');
    const bob = await openPage(browser, server, '/play');
    await registerOnPage(alice, 'alice');
    await registerOnPage(bob, 'bob');
    await alice.page.getByTestId('online-count').getByText('2 online').waitFor();

    await alice.page.getByLabel('Game').selectOption({ label: 'Tic-tac-toe (2 players)' });
    await alice.page.getByRole('button', { name: 'Auto match' }).click();
    const roomId = (await alice.page.getByTestId('room-id').textContent())!;
    // Bob's room list is live: the new room appears without a reload, and he joins it from there.
    const listed = bob.page.getByTestId('room-list').locator('li', { hasText: roomId });
    await listed.getByRole('button', { name: 'Join' }).click();
    await bob.page.getByTestId('room-id').getByText(roomId).waitFor();

    await alice.page.getByLabel('Room chat message').fill('good luck bob');
    await alice.page.getByLabel('Room chat message').press('Enter');
    await bob.page.getByTestId('room-chat').getByText('good luck bob').waitFor();
    await bob.page.getByLabel('Room chat message').fill('you too');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await alice.page.getByTestId('room-chat').getByText('you too').waitFor();

    for (const w of [alice, bob]) await w.page.getByRole('button', { name: 'Ready', exact: true }).click();
    await alice.page.getByText('Your turn (X)').waitFor();
    await bob.page.getByText('You are O').waitFor();

    // X takes the top row; O answers in the middle row.
    const moves: [WatchedPage, number, string][] = [[alice, 0, 'X'], [bob, 3, 'O'], [alice, 1, 'X'], [bob, 4, 'O'], [alice, 2, 'X']];
    for (const [w, i, mark] of moves) {
      await cell(w, i).click();
      for (const p of [alice, bob]) await assert.doesNotReject(cell(p, i).getByText(mark).waitFor());
    }
    await alice.page.getByTestId('game-status').getByText('You won!').waitFor();
    await bob.page.getByTestId('game-status').getByText('alice won.').waitFor();
    await alice.page.getByTestId('room-chat').getByText('alice (X) vs bob (O): X to move').waitFor();
    await screenshot('play-tictactoe', alice, bob);
  });

  it('a private room on a phone: joined by id, teams and ready flags for everyone', async () => {
    const carol = await openPage(browser, server, '/play', { viewport: PHONE_VIEWPORT });
    const dave = await openPage(browser, server, '/play', { viewport: PHONE_VIEWPORT });
    await registerOnPage(carol, 'carol');
    await registerOnPage(dave, 'dave');
    await carol.page.getByLabel('Game').selectOption({ label: 'Squad (4, teams)' });
    await carol.page.getByRole('button', { name: 'Create private room' }).click();
    const roomId = (await carol.page.getByTestId('room-id').textContent())!;
    assert.equal(await dave.page.getByTestId('room-list').locator('li', { hasText: roomId }).count(), 0, 'a private room is not listed');
    await dave.page.getByLabel('Room id').fill(roomId);
    await dave.page.getByRole('button', { name: 'Join by id' }).click();

    const daveRow = carol.page.getByTestId('player').filter({ hasText: 'dave' });
    await daveRow.getByText('blue').waitFor();
    await dave.page.getByLabel('Team').selectOption('red');
    await daveRow.getByText('red').waitFor();
    await dave.page.getByRole('button', { name: 'Ready', exact: true }).click();
    await daveRow.getByText('ready', { exact: true }).waitFor();
    // Nothing is wider than the phone.
    const width = await carol.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE_VIEWPORT.width, `page is ${width}px wide on a ${PHONE_VIEWPORT.width}px screen`);
    await screenshot('play-phone-room', carol, dave);
  });

  it('a player claims a mailed reward and the inventory on the page changes', async () => {
    const erin = await registerUser(server, { name: 'erin' });
    const w = await openPage(browser, server, '/play');
    await logInOnPage(w, erin);
    await w.page.getByTestId('inventory').getByText('Empty').waitFor();

    const token = await adminToken(server);
    const sent = await server.api('POST', 'admin/mail', { to: [erin.id], title: 'Welcome gift', body: 'Five gems to start.', attachments: [{ item: 'gem', amount: 5 }] }, { token });
    assert.equal(sent.status, 201);
    // The mail notice arrives live: no reload.
    const mail = w.page.getByTestId('mail').filter({ hasText: 'Welcome gift' });
    await mail.getByRole('button', { name: /Welcome gift/ }).click();
    await w.page.getByTestId('unread').getByText('0 unread').waitFor();
    await mail.getByRole('button', { name: 'Claim' }).click();
    await w.page.getByTestId('inventory').locator('[data-item="gem"]').getByText('5').waitFor();
    await mail.getByText(/claimed/).waitFor();

    await mail.getByRole('button', { name: 'Delete' }).click();
    await w.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await w.page.getByTestId('mailbox').getByText('No mail.').waitFor();
    await screenshot('play-mail-claimed', w);
    assert.deepEqual((await server.api('GET', `admin/users/${erin.id}/game`, undefined, { token })).body.inventory, { gem: 5 });
  });
});

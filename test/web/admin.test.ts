import assert from 'node:assert/strict';
import { adminToken, login, registerUser } from '../support/users.ts';
import { joinRoom } from '../support/colyseus.ts';
import { adminPage, playAs, screenshot, useBrowser } from './support.ts';

describe('/admin in a browser: dashboard, push, bans, errors in words', function () {
  this.timeout(120_000);
  const { server, browser } = useBrowser({ BCRYPT_COST: '4', LOBBY_PUSH_MS: '200' });

  it('the dashboard shows live load without a reload and a 30-day chart with data', async () => {
    for (const name of ['ann', 'ben']) assert.equal((await login(server, await registerUser(server, { name }))).status, 200);
    const w = await adminPage(browser, server);
    const { page } = w;
    await page.getByTestId('stats-today').getByText('2 DAU · 2 registrations · 2 logins').waitFor();
    await page.getByTestId('chart').locator('canvas').waitFor();
    const legend = await page.getByTestId('chart').locator('.u-legend').textContent();
    assert.match(legend!, /DAU.*Registrations.*Logins/s);
    await page.getByTestId('processes').locator('tbody tr').waitFor();

    // Load that appears after the page was drawn shows up by itself (the page polls the API).
    const ccu = page.getByTestId('totals').locator('[data-key="ccu"] .value');
    assert.equal(await ccu.textContent(), '0');
    const cat = await registerUser(server, { name: 'cat' });
    const { room } = await joinRoom(server, cat.accessToken, 'create', 'game', { mode: 'duel' });
    await ccu.getByText('1', { exact: true }).waitFor();
    await screenshot('admin-dashboard', w);
    await room.leave();
  });

  it('an admin sends a marquee and a player\'s /play shows it', async () => {
    const dan = await registerUser(server, { name: 'dan' });
    const player = await playAs(browser, server, dan);
    const admin = await adminPage(browser, server, '#/push/send');
    const form = admin.page.getByTestId('send-now');
    await form.getByLabel('Kind').selectOption('marquee');
    await form.getByLabel('Scope').selectOption('lobby');
    await form.getByLabel('Text', { exact: true }).fill('Double XP all weekend!');
    await form.getByRole('button', { name: 'Send marquee' }).click();
    await player.page.getByTestId('marquee').getByText('Double XP all weekend!').waitFor();
    await screenshot('admin-marquee', admin, player);

    // An announcement to this one player: it waits in the player's list until read.
    await form.getByLabel('Kind').selectOption('announcement');
    await form.getByLabel('Scope').selectOption('personal');
    await form.getByLabel('User id').fill(dan.id);
    await form.getByLabel('Text', { exact: true }).fill('Your season reward is in the mailbox');
    await form.getByRole('button', { name: 'Send announcement' }).click();
    const note = player.page.getByTestId('announcements').locator('li', { hasText: 'Your season reward is in the mailbox' });
    await note.getByRole('button', { name: 'Got it' }).click();
    await note.waitFor({ state: 'detached' });
    const reads = await server.api('GET', `admin/db/ReadRecord?filter=userId:${dan.id}`, undefined, { token: await adminToken(server) });
    assert.equal(reads.body.total, 1, 'the read receipt reached the server');
  });

  it('an admin bans a player and that player\'s page shows the kick', async () => {
    const eve = await registerUser(server, { name: 'evelyn' });
    const player = await playAs(browser, server, eve);
    const admin = await adminPage(browser, server, '#/users');
    await admin.page.getByLabel('Search users').fill('evelyn');
    await admin.page.getByRole('button', { name: 'Search' }).click();
    await admin.page.getByTestId('users').getByRole('link', { name: 'evelyn' }).click();
    await admin.page.getByTestId('user-detail').getByTestId('online').waitFor();
    const ban = admin.page.getByTestId('ban-form');
    await ban.getByLabel('Ban reason').fill('cheating');
    await ban.getByRole('button', { name: 'Ban' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Ban' }).click();
    await admin.page.getByTestId('user-detail').locator('.badge.danger', { hasText: 'banned' }).waitFor();

    await player.page.getByTestId('notice').getByText('Your account has been banned.').waitFor();
    await player.page.getByTestId('login-form').waitFor();
    await screenshot('admin-ban-kick', admin, player);
  });

  it('a refused admin action shows the API\'s message, next to the field where it names one', async () => {
    const fay = await registerUser(server, { name: 'fay' });
    const gus = await registerUser(server, { name: 'gus' });
    const admin = await adminPage(browser, server, `#/users/${fay.id}`);
    admin.expectConsole(/status of 409/);
    admin.expectConsole(/status of 400/);
    await admin.page.getByLabel('New phone').fill(gus.phone);
    await admin.page.getByRole('button', { name: 'Change phone' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Change phone' }).click();
    await admin.page.getByText('phone: already used by another account (PHONE_TAKEN)').waitFor();

    await admin.page.goto(`${server.url}/admin#/db/User`);
    await admin.page.getByTestId('db-rows').getByText(fay.id).click();
    const editor = admin.page.getByTestId('row-editor');
    await editor.locator('input[name="createdAt"]').fill('yesterday');
    await editor.getByRole('button', { name: /Save/ }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await editor.locator('[data-field="createdAt"]').getByText('must be an ISO-8601 date-time').waitFor();
    await screenshot('admin-db-error', admin);
  });
});

import assert from 'node:assert/strict';
import { ADMIN_USER, adminToken, registerUser } from '../support/users.ts';
import { joinRoom, until } from '../support/colyseus.ts';
import { openPage, PHONE_VIEWPORT, screenshot, submitAdminLogin, useBrowser } from './support.ts';

/** The rest of the panel: every section renders, the template preview, triggers, mail's fate, a room's inside. */
describe('/admin sections in a browser', function () {
  this.timeout(120_000);
  const { server, browser } = useBrowser({ BCRYPT_COST: '4' });

  it('the landing page and the API reference render, linked from each other', async () => {
    const w = await openPage(browser, server, '/');
    await w.page.getByTestId('server-info').getByText(process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite').waitFor();
    for (const name of ['Play', 'Admin panel', 'API reference', 'Colyseus monitor']) await w.page.getByRole('link', { name }).first().waitFor();
    await screenshot('landing', w);
    await w.page.getByRole('link', { name: /API reference/ }).click();
    await w.page.getByTestId('routes').getByText('/api/v1/mail/{id}/claim').waitFor();
    await w.page.getByLabel('Filter routes').fill('server-info');
    await w.page.getByRole('navigation', { name: 'Routes' }).getByRole('link', { name: /server-info/ }).waitFor();
    await screenshot('docs', w);
  });

  it('a wrong password is refused in words, then every section opens on a phone without an error', async () => {
    const w = await openPage(browser, server, '/admin', { viewport: PHONE_VIEWPORT });
    w.expectConsole(/status of 401/);
    const form = w.page.getByTestId('admin-login');
    await form.getByLabel('User').fill(ADMIN_USER);
    await form.getByLabel('Password').fill('not the password');
    await form.getByRole('button', { name: 'Log in' }).click();
    await form.getByText('username or password is wrong (BAD_CREDENTIALS)').waitFor();
    await submitAdminLogin(w);
    for (const [hash, heading] of [['dashboard', 'Dashboard'], ['users', 'Users'], ['mail', 'Mail'], ['push/send', 'Push'], ['push/templates', 'Push'],
      ['push/triggers', 'Push'], ['push/records', 'Push'], ['rooms', 'Rooms'], ['logs', 'Logs'], ['db', 'Database'], ['settings', 'Settings']]) {
      await w.page.goto(`${server.url}/admin#/${hash}`);
      await w.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      const width = await w.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE_VIEWPORT.width + 1, `#/${hash} is ${width}px wide on a phone`);
    }
    await w.page.getByRole('button', { name: 'Menu' }).click();
    await screenshot('admin-phone-menu', w);
  });

  it('a template previews as it is typed; a trigger is created from it and cancelled', async () => {
    const w = await openPage(browser, server, '/admin#/push/templates');
    await submitAdminLogin(w);
    const form = w.page.getByTestId('new-template');
    await form.getByLabel('Content').fill('Welcome back {name}, {gift} is waiting');
    const preview = form.getByTestId('template-preview');
    await preview.locator('.badge', { hasText: '{gift}' }).waitFor();
    await form.getByLabel('Variable gift').fill('a chest');
    await preview.getByTestId('rendered').getByText('a chest').waitFor();
    await form.getByLabel('Content').fill('Broken {gift');
    await preview.getByText('content: unclosed placeholder at position 7').waitFor();
    await form.getByLabel('Content').fill('Welcome back {name}, {gift} is waiting');
    await form.getByRole('button', { name: 'Save template' }).click();
    await w.page.getByTestId('templates').getByText('Welcome back {name}, {gift} is waiting').waitFor();

    await w.page.getByRole('link', { name: 'Triggers' }).click();
    const trigger = w.page.getByTestId('new-trigger');
    await trigger.getByLabel('Template').selectOption({ index: 1 });
    await trigger.getByTestId('template-preview').getByText('Ada').waitFor(); // {name} comes from the event
    await trigger.getByLabel('Frequency').selectOption('daily');
    await trigger.getByLabel('Variable gift').fill('a chest');
    await trigger.getByRole('button', { name: 'Create trigger' }).click();
    const row = w.page.getByTestId('triggers').locator('tbody tr').first();
    await row.getByText('daily × 1').waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await w.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).last().click();
    await row.getByText('cancelled').waitFor();
    await screenshot('admin-triggers', w);
    const token = await adminToken(server);
    assert.ok((await server.api('GET', 'admin/triggers', undefined, { token })).body.triggers[0].cancelledAt);
  });

  it('mail with a reward, and what became of it: delivered, read, claimed', async () => {
    const ida = await registerUser(server, { name: 'ida' });
    const w = await openPage(browser, server, `/admin#/mail/${ida.id}`);
    await submitAdminLogin(w);
    const form = w.page.getByTestId('compose-mail');
    await form.getByLabel('Title').fill('Season reward');
    await form.getByLabel('Body').fill('Thanks for playing');
    await form.getByRole('button', { name: 'Add attachment' }).click();
    await form.getByLabel('Item 1').fill('gold');
    await form.getByLabel('Amount 1').fill('100');
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await w.page.getByRole('dialog').getByRole('button', { name: 'Send' }).click();
    const sent = w.page.getByTestId('sent-mail').getByRole('button', { name: /Season reward/ });
    await sent.waitFor();

    const { mails } = (await server.api('GET', 'mail', undefined, { token: ida.accessToken })).body;
    assert.equal((await server.api('POST', `mail/${mails[0].id}/claim`, undefined, { token: ida.accessToken })).status, 200);
    await sent.click();
    await w.page.getByTestId('mail-fate').getByText('1 in mailboxes · 1 read · 1 claimed').waitFor();
    await screenshot('admin-mail-fate', w);
  });

  it('looks inside a room, messages it and disposes it', async () => {
    const jon = await registerUser(server, { name: 'jon' });
    const { room, rec } = await joinRoom(server, jon.accessToken, 'create', 'game', { mode: 'squad' });
    room.send('ready', { ready: true });
    await until(() => [...(room.state.players.values() as Iterable<any>)].some((p) => p.ready), 5000, 'ready');
    const w = await openPage(browser, server, '/admin#/rooms');
    await submitAdminLogin(w);
    await w.page.getByTestId('rooms').getByRole('link', { name: room.roomId }).click();
    const players = w.page.getByTestId('room-players');
    await players.getByText('jon').waitFor();
    await players.getByText('ready', { exact: true }).waitFor();
    await players.getByText('red').waitFor();
    await w.page.getByLabel('System message').fill('closing in one minute');
    await w.page.getByRole('button', { name: 'Send', exact: true }).click();
    assert.equal((await rec.next('chat', (m) => m.text === 'closing in one minute')).kind, 'system');
    await screenshot('admin-room', w);
    await w.page.getByRole('button', { name: 'Dispose room' }).click();
    await w.page.getByRole('dialog').getByRole('button', { name: 'Dispose room' }).click();
    await w.page.getByText('The room was disposed.').waitFor();
    assert.equal(await rec.closed(), 4000);
  });
});

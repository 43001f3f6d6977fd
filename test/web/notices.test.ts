import { login, registerUser } from '../support/users.ts';
import { openPage, playAs, screenshot, submitAdminLogin, useBrowser } from './support.ts';

/** What a player is told when the session or the server changes under them, and a session kept fresh. */
describe('/play notices and token refresh in a browser', function () {
  this.timeout(120_000);
  // Access tokens of 10 s: the page refreshes at 80% of that, so the refresh test waits ~8 s, not 15 min.
  const { server, browser } = useBrowser({ BCRYPT_COST: '4', ACCESS_TOKEN_TTL_S: '10' });

  it('refreshes the access token before it expires and keeps working with the new one', async () => {
    const kim = await registerUser(server, { name: 'kim' });
    const w = await playAs(browser, server, kim);
    await w.page.getByTestId('refreshes').getByText('refreshed 1 time').waitFor({ timeout: 15_000 });
    await w.page.getByTestId('stream-state').getByText('live').waitFor();
    await w.page.getByLabel('Lobby chat message').fill('still here');
    await w.page.getByLabel('Lobby chat message').press('Enter');
    await w.page.getByTestId('lobby-chat').getByText('still here').waitFor();
    await w.page.getByLabel('Game').selectOption({ label: 'Duel (2)' });
    await w.page.getByRole('button', { name: 'Auto match' }).click();
    await w.page.getByTestId('room-id').waitFor();
    await screenshot('play-refreshed', w);
  });

  it('a tab reopened with an old access token rotates it before using it', async () => {
    const kai = await registerUser(server, { name: 'kai' });
    const w = await playAs(browser, server, kai);
    // As if the tab had slept past the token's lifetime: the stored session says it was issued long ago.
    await w.page.evaluate(() => {
      const key = 'arena.play.session';
      sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)!), obtainedAt: 0 }));
    });
    await w.page.reload();
    await w.page.getByTestId('refreshes').getByText('refreshed 1 time').waitFor();
    await w.page.getByTestId('stream-state').getByText('live').waitFor();
    await screenshot('play-reopened', w);
  });

  it('a login elsewhere ends this session with a notice that says so', async () => {
    const lee = await registerUser(server, { name: 'lee' });
    const w = await playAs(browser, server, lee);
    await login(server, lee);
    await w.page.getByTestId('notice').getByText('You logged in somewhere else').waitFor();
    await w.page.getByTestId('login-form').waitFor();
    await screenshot('play-login-elsewhere', w);
  });

  it('maintenance from the panel closes the player\'s rooms with a notice', async () => {
    const max = await registerUser(server, { name: 'max' });
    const player = await playAs(browser, server, max);
    // The page refreshes its 10 s token every 8 s: a refresh that falls between maintenance turning on
    // and the notice reaching the page is refused (403 MAINTENANCE, as it must be) and the browser logs
    // the refused request. Whether one falls there is timing (CI once saw it); the notice is the same.
    player.expectConsole(/status of 403 .*\/api\/v1\/auth\/refresh/);
    const admin = await openPage(browser, server, '/admin#/settings');
    await submitAdminLogin(admin);
    const maintenance = admin.page.getByTestId('maintenance');
    await maintenance.getByLabel('Message to players').fill('Back at 18:00');
    await maintenance.getByRole('button', { name: 'Turn maintenance on' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
    await maintenance.locator('.badge', { hasText: 'on' }).waitFor();

    await player.page.getByTestId('notice').getByText('The server entered maintenance').waitFor();
    await screenshot('play-maintenance', player);
    await maintenance.getByRole('button', { name: 'Turn maintenance off' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
    await maintenance.locator('.badge', { hasText: 'off' }).waitFor();
    await player.page.getByRole('button', { name: 'Reconnect' }).click();
    await player.page.getByTestId('notice').waitFor({ state: 'detached' });
    await player.page.getByLabel('Lobby chat message').fill('back again');
    await player.page.getByLabel('Lobby chat message').press('Enter');
    await player.page.getByTestId('lobby-chat').getByText('back again').waitFor();
  });
});

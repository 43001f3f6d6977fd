import assert from 'node:assert/strict';
import { endpoint, freshDatabaseUrl, type Endpoint } from '../support/server.ts';
import { login, registerUser } from '../support/users.ts';
import { joinRoom, leaveAll, until, type Room } from '../support/colyseus.ts';
import { CLUSTER_TIMERS, describeCluster, startRedis, type TestRedis } from '../support/cluster.ts';
import { freePorts, startPm2, type Pm2 } from '../support/pm2.ts';

/** Is the instance serving? (refused, 503 while stopping, and no answer within 3 s all count as no) */
async function ready(instance: Endpoint): Promise<boolean> {
  try {
    return (await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
  } catch {
    return false;
  }
}

describeCluster('PM2: the ecosystem started, reloaded and stopped with the npm scripts', function () {
  this.timeout(300_000);
  let redis: TestRedis;
  let db: ReturnType<typeof freshDatabaseUrl>;
  let pm2: Pm2;
  let env: Record<string, string>;
  let instances: Endpoint[];
  const open: Room[] = [];

  before(async () => {
    redis = await startRedis();
    db = freshDatabaseUrl();
    pm2 = startPm2();
    const base = await freePorts(2);
    // What an operator exports before the cluster:* scripts (README "Running a cluster").
    env = {
      INSTANCES: '2', PORT: String(base), HOST: '127.0.0.1', NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: redis.url,
      PUBLIC_ADDRESS: '127.0.0.1:{port}', BCRYPT_COST: '4', LOGIN_PER_IP_PER_MINUTE: '100000', LOG_PRETTY: 'false', ...CLUSTER_TIMERS,
    };
    instances = [base, base + 1].map((port) => endpoint(`http://127.0.0.1:${port}`));
  });
  afterEach(async () => {
    await leaveAll(open);
  });
  after(async () => {
    await pm2?.kill();
    await redis?.stop();
    await db?.cleanup();
  });

  it('starts two instances on PORT and PORT + 1, and a client plays through both', async () => {
    await pm2.npm('cluster:start', [], env);
    const list = await pm2.list();
    assert.deepEqual(list.map((p) => [p.instance, p.status]).sort(), [[0, 'online'], [1, 'online']]);
    for (const instance of instances) assert.equal(await ready(instance), true, `${instance.url} serves`);
    assert.match(await pm2.npm('cluster:status', [], env), /arena.*online[\s\S]*arena.*online/);

    const [a, b] = instances as [Endpoint, Endpoint];
    const alice = await registerUser(a, { name: 'Alice' });
    const bob = await registerUser(b, { name: 'Bob' });
    const again = await login(b, alice);
    assert.equal(again.status, 200, 'an account made through one instance logs in through the other');
    const lobby = await a.api('GET', 'lobby');
    assert.deepEqual(lobby.body.servers.map((s: any) => s.address).sort(), instances.map((i) => i.url.replace('http://', '')).sort());

    const first = await joinRoom(a, again.body.accessToken, 'joinOrCreate', 'game', { mode: 'duel' });
    open.push(first.room);
    const second = await joinRoom(b, bob.accessToken, 'joinOrCreate', 'game', { mode: 'duel' });
    open.push(second.room);
    assert.equal(second.room.roomId, first.room.roomId, 'one duel for players of both instances');
    await until(() => first.room.state.players.size === 2, 5000, 'both players in the state');

    const logs = await pm2.npm('cluster:logs', ['--nostream', '--lines', '100'], env);
    assert.equal(logs.match(/"msg":"server started"/g)?.length, 2, logs);
  });

  it('reloads one instance at a time, each after the previous one is ready, and logins never fail for a client that retries on the other', async () => {
    const [a, b] = instances as [Endpoint, Endpoint];
    const carol = await registerUser(a, { name: 'Carol' });
    const before = await pm2.list();

    // Readiness of both, sampled together, for the whole reload.
    const samples: [boolean, boolean][] = [];
    let reloading = true;
    const sampling = (async () => {
      while (reloading) {
        samples.push(await Promise.all([ready(a), ready(b)]));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // A client that knows both addresses: a failed login is tried once more on the other instance.
    const tally = { logins: 0, retried: 0, dropped: 0 };
    const attempt = async (instance: Endpoint) => {
      try {
        return (await login(instance, carol)).status === 200;
      } catch {
        return false;
      }
    };
    const playing = (async () => {
      for (let n = 0; reloading; n++) {
        const [first, other] = n % 2 ? [b, a] : [a, b];
        tally.logins++;
        if (!(await attempt(first))) {
          tally.retried++;
          if (!(await attempt(other))) tally.dropped++;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    await pm2.npm('cluster:reload', [], env);
    reloading = false;
    await Promise.all([sampling, playing]);

    const after = await pm2.list();
    for (const instance of [0, 1]) {
      const old = before.find((p) => p.instance === instance)!;
      const now = after.find((p) => p.instance === instance)!;
      assert.equal(now.status, 'online');
      assert.notEqual(now.pid, old.pid, `instance ${instance} runs a new process`);
      assert.equal(now.restarts, old.restarts + 1);
    }
    assert.ok(tally.retried > 0, `logins met a stopped instance during the reload: ${JSON.stringify(tally)}`);
    assert.equal(tally.dropped, 0, `no login failed on both instances: ${JSON.stringify(tally)}`);
    assert.ok(!samples.some(([upA, upB]) => !upA && !upB), 'never both instances down at once');
    const down = (i: 0 | 1) => samples.flatMap((s, at) => (s[i] ? [] : [at]));
    const [downA, downB] = [down(0), down(1)];
    assert.ok(downA.length > 0 && downB.length > 0, 'each instance was restarted');
    assert.ok(downA.at(-1)! < downB[0]!, 'instance 1 was stopped only once instance 0 was ready again');
    assert.ok((await login(b, carol)).status === 200 && (await login(a, carol)).status === 200);
  });

  it('stops every instance gracefully', async () => {
    const running = await pm2.list();
    await pm2.npm('cluster:stop', [], env);
    assert.deepEqual(await pm2.list(), []);
    const exits = [...pm2.daemonLog().matchAll(/App \[arena:(\d+)\] exited with code \[(\d+)\]/g)].map((m) => `${m[1]}:${m[2]}`);
    for (const p of running) {
      assert.throws(() => process.kill(p.pid, 0), /ESRCH/, `process ${p.pid} is gone`);
      // once for the reload, once now, and always with 0
      assert.deepEqual(exits.filter((e) => e.startsWith(`${p.pmId}:`)), [`${p.pmId}:0`, `${p.pmId}:0`]);
    }
    for (const instance of instances) assert.equal(await ready(instance), false);
  });

  it('leaves an instance that refuses its configuration (exit 78) stopped, with the reason in its log', async () => {
    // NODE_ENV=production with the development secrets: refused at start-up.
    await pm2.pm2(['start', 'ecosystem.config.js'], { ...env, INSTANCES: '1', NODE_ENV: 'production' });
    await until(async () => (await pm2.list())[0]?.exitCode === 78, 20_000, 'the instance exited with 78');
    // Without stop_exit_codes PM2 starts an exited instance again at once: it would have by now.
    await new Promise((r) => setTimeout(r, 1500));
    const [refused] = await pm2.list();
    assert.equal(refused!.status, 'stopped');
    assert.equal(refused!.restarts, 0);
    const logs = await pm2.npm('cluster:logs', ['--nostream', '--lines', '20'], env);
    assert.match(logs, /JWT_SECRET must be set in production/);
    await pm2.npm('cluster:stop', [], env);
  });
});

// PM2 processes (S11), started and reloaded by the npm scripts cluster:* (README "Running a cluster").
// Fork mode, not cluster mode: every Colyseus process needs its own port (PORT + NODE_APP_INSTANCE,
// added by the server itself) and public address, and cluster-mode workers would ignore the pinned
// Node 24 interpreter. PM2 runs through npm so that it, too, runs on Node 24 (which loads this ES
// module). Every setting comes from the environment of the pm2 command: INSTANCES here, the rest
// (REDIS_URL, DATABASE_URL, PUBLIC_ADDRESS, secrets) read by the server.
import path from 'node:path';

const root = import.meta.dirname;
const instances = Number(process.env.INSTANCES || 1);
if (!Number.isInteger(instances) || instances < 1) throw new Error(`INSTANCES must be a whole number >= 1; got ${process.env.INSTANCES}`);

// Named export: PM2 require()s this file and reads `.apps` from the module namespace.
export const apps = [
  {
    name: 'arena',
    // The production entry point, as `npm run start:prod`: the build in dist/ behind the Node version guard.
    script: path.join(root, 'bin/server.js'),
    args: [path.join(root, 'dist/src/main.js')],
    interpreter: path.join(root, 'node_modules/.bin/node'),
    exec_mode: 'fork',
    instances,
    // Relative paths of the configuration (DOWNLOADS_DIR, sqlite:./data/…) mean the project's.
    cwd: root,
    // An instance counts as started when it sends 'ready' (src/main.ts, once listening): a reload
    // restarts the next instance only then, so one instance at a time is down. Migrations run at
    // start-up; a process that is not ready after listen_timeout is taken as started anyway.
    wait_ready: true,
    listen_timeout: 60_000,
    // SIGINT starts the graceful stop, which ends by itself within SHUTDOWN_TIMEOUT_MS; SIGKILL after that.
    kill_timeout: Number(process.env.SHUTDOWN_TIMEOUT_MS || 10_000) + 2_000,
    // 78 (EX_CONFIG): refused configuration, port taken, split brain. Starting again cannot help, so
    // PM2 leaves the instance stopped, with the reason in its error log. No restart_delay or
    // exp_backoff_restart_delay: with either, PM2 7 shows such an instance as "waiting restart".
    stop_exit_codes: [78],
    env: {
      NODE_ENV: process.env.NODE_ENV || 'production',
      PORT: process.env.PORT || '2567',
    },
  },
];

export default { apps };

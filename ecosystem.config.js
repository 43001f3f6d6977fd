// PM2 processes (S11). Fork mode, not cluster mode: every Colyseus process needs its own port
// (PORT + NODE_APP_INSTANCE, added by the server itself) and public address, and cluster-mode
// workers would ignore the pinned Node 24 interpreter. Run PM2 through npm so that it, too, runs on
// Node 24 (which loads this ES module): npm run pm2 -- start ecosystem.config.js
// With more than one instance, REDIS_URL and a MySQL/MariaDB DATABASE_URL are required.
import path from 'node:path';

const root = import.meta.dirname;
const instances = Number(process.env.INSTANCES || 1);

// Named export: PM2 require()s this file and reads `.apps` from the module namespace.
export const apps = [
  {
    name: 'arena',
    script: path.join(root, 'bin/server.js'),
    interpreter: path.join(root, 'node_modules/.bin/node'),
    exec_mode: 'fork',
    instances,
    kill_timeout: Number(process.env.SHUTDOWN_TIMEOUT_MS || 10000) + 2000,
    env: {
      NODE_ENV: process.env.NODE_ENV || 'production',
      PORT: process.env.PORT || '2567',
    },
  },
];

export default { apps };

/**
 * The server process: read config, open the database (creating and migrating it), build the
 * services, listen, and stop gracefully on SIGTERM/SIGINT (S1). Started by bin/server.js, which
 * refuses old Node versions first.
 */
import { loadConfig, ConfigError } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
import { buildServices, createArena } from '../arena.config.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
const services = await buildServices(config, logger).catch((err) => {
  // A refusal found once the database is open (an admin with a well-known password in production).
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  logger.fatal({ err, module: 'server' }, 'start-up failed');
  process.exit(1);
});
const arena = createArena(services);
// Signal handlers go in before listening: a SIGTERM that arrives while the port is being bound must
// still mean a graceful stop (exit 0), not the default kill.
let listening: Promise<unknown> = Promise.resolve();

let stopping = false;
const stop = (reason: string) => {
  // One graceful stop at a time: a later request (console, admin API, SIGTERM from a supervisor)
  // joins the one in progress. Only a second Ctrl-C means "now".
  if (stopping) {
    if (reason === 'SIGINT') {
      logger.warn({ module: 'server' }, 'second SIGINT: exiting now');
      process.exit(1);
    }
    return;
  }
  stopping = true;
  const timer = setTimeout(() => {
    logger.error({ module: 'server', timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  listening.catch(() => undefined).then(() => arena.shutdown(reason)).then(
    () => {
      logger.flush();
      setImmediate(() => process.exit(0));
    },
    (err) => {
      logger.error({ err, module: 'server' }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
services.lifecycle.requestShutdown = stop;
listening = arena.listen();
try {
  await listening;
} catch (err) {
  // A taken or forbidden port is a configuration problem: one line naming it, and out at once
  // (nothing was started that needs a graceful stop).
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const why = code === 'EADDRINUSE' ? 'is already in use (another server is running there?)' : 'needs privileges this process does not have';
    console.error(`arena-server: cannot listen on ${config.host}:${config.port}: the port ${why}; set PORT to a free port`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

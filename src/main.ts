/**
 * The server process: read config, open the database (creating and migrating it), build the
 * services, listen, and stop gracefully on SIGTERM/SIGINT (S1). Started by bin/server.js, which
 * refuses old Node versions first.
 */
import { loadConfig, ConfigError } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
import { buildServices, createArena } from '../arena.config.ts';
import { RegistryConflict } from './cluster/registry.ts';

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
// A promise nobody awaited failed (a library's fire-and-forget call during an outage): log it and
// go on serving. Node's default would end the process, and with it every room it hosts.
process.on('unhandledRejection', (err) => {
  logger.warn({ err, module: 'server' }, 'unhandled rejection');
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
  const e = err as NodeJS.ErrnoException;
  // Refused starts say why in one line and exit 78 (EX_CONFIG), which PM2 is told not to restart.
  const line = err instanceof RegistryConflict ? e.message
    : e?.code === 'EADDRINUSE' ? `listen: port ${config.port} on ${config.host} is already in use (another server is running); choose another PORT or stop it`
      : undefined;
  if (!line) throw err;
  console.error(line);
  await services.db.close().catch(() => undefined);
  process.exit(78);
}
// PM2 (`wait_ready`): this instance serves now, so a reload may move on to the next one.
process.send?.('ready');

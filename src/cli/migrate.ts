/**
 * `npm run migrate` (and `npm run console -- migrate`): applies the committed migrations that the
 * database of DATABASE_URL (or the config files) has not seen yet, creating the database first
 * when missing. The server does the same at start-up; this is for deploys that migrate before
 * starting the new processes.
 */
import { loadConfig, ConfigError } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { openDatabase } from '../platform/db.ts';

export interface MigrateResult {
  database: string;
  applied: string[];
  pending: number;
}

export async function migrate(databaseUrl: string): Promise<MigrateResult> {
  const logger = createLogger({ level: 'warn', pretty: false, destination: process.stderr as never });
  const db = await openDatabase(databaseUrl, logger, { migrate: false });
  try {
    const pending = await db.orm.migrator.getPending();
    const applied = await db.orm.migrator.up();
    return { database: db.dialect, applied: applied.map((m) => m.name), pending: pending.length };
  } finally {
    await db.close();
  }
}

/** The database URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export async function runMigrateCommand(): Promise<number> {
  let url: string;
  try {
    url = loadConfig().databaseUrl;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`arena: ${err.message}`);
      return 78;
    }
    throw err;
  }
  try {
    const result = await migrate(url);
    if (result.applied.length) console.log(`applied ${result.applied.length} migration(s) to ${redactUrl(url)}: ${result.applied.join(', ')}`);
    else console.log(`${redactUrl(url)} is up to date`);
    return 0;
  } catch (err) {
    console.error(`arena: migration of ${redactUrl(url)} failed: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await runMigrateCommand();
}

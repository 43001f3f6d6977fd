import type { EntityManager } from '@mikro-orm/sql';
import { ConfigError } from '../platform/config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { Passwords } from '../platform/passwords.ts';
import { KNOWN_WEAK_PASSWORDS } from '../platform/strength.ts';
import { isAppError } from '../platform/errors.ts';
import { AdminUser } from '../accounts/accounts.entities.ts';
import type { AdminService } from './admin.service.ts';

/**
 * The admin accounts at start (S10). The bootstrap admin (ADMIN_USER) is created with
 * ADMIN_PASSWORD when missing. A database set up in development keeps its admin, and that admin's
 * development password would outlive a production start while the configured one was refused, so:
 * - a bootstrap admin whose password is a development or well-known one is rotated to ADMIN_PASSWORD
 *   (its tokens revoked), and the log says so;
 * - one with a password of its own keeps it, and the log says ADMIN_PASSWORD was not applied;
 * - in production, any other admin with such a password stops the start (exit 78), named.
 */
export async function bootstrapAdmins(
  deps: { em: () => EntityManager; clock: Clock; logger: Logger; passwords: Passwords; admin: AdminService },
  opts: { username: string; password: string; production: boolean },
): Promise<void> {
  const { logger, passwords } = deps;
  const log = logger.child({ module: 'admin', username: opts.username });
  const em = deps.em();
  const existing = await em.findOne(AdminUser, { username: opts.username }, { populate: ['passwordHash'] });
  if (!existing) {
    em.create(AdminUser, { username: opts.username, passwordHash: await passwords.hash(opts.password), createdAt: new Date(deps.clock.now()), tokenVersion: 0 });
    try {
      await em.flush();
      log.info('bootstrap admin created');
    } catch (err) {
      if ((err as Error).name !== 'UniqueConstraintViolationException') throw err; // another process won the race
    }
  } else if (!await passwords.verify(opts.password, existing.passwordHash)) {
    if (await knownWeak(passwords, existing.passwordHash)) {
      try {
        await deps.admin.setPassword(existing.id, existing.tokenVersion, opts.password, null);
        log.warn('bootstrap admin had a development or well-known password: rotated to ADMIN_PASSWORD, its tokens revoked');
      } catch (err) {
        if (!isAppError(err) || err.code !== 'CONFLICT') throw err;
        log.info('bootstrap admin rotated by another process starting at the same time');
      }
    } else {
      log.warn('bootstrap admin exists with a password of its own: ADMIN_PASSWORD is not applied (change it with POST /api/v1/admin/password or npm run console -- admin password)');
    }
  }
  if (!opts.production) return;
  const others = await deps.em().find(AdminUser, { username: { $ne: opts.username } }, { populate: ['passwordHash'] });
  const weak = [];
  for (const a of others) if (await knownWeak(passwords, a.passwordHash)) weak.push(a.username);
  if (weak.length) {
    throw new ConfigError(`config: production refuses to start while an admin has a development or well-known password: ${weak.map((u) => `"${u}"`).join(', ')} (change it first, or start once with ADMIN_USER set to its name to rotate it to ADMIN_PASSWORD)`);
  }
}

/** Is this hash one of a development or well-known password? (A few bcrypt compares, at start only.) */
async function knownWeak(passwords: Passwords, hash: string): Promise<boolean> {
  const matches = await Promise.all(KNOWN_WEAK_PASSWORDS.map((p) => passwords.verify(p, hash)));
  return matches.some(Boolean);
}

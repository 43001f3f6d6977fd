import { accountEntities } from '../accounts/accounts.entities.ts';
import { identityEntities } from '../accounts/identity.entities.ts';
import { playTimeEntities } from '../accounts/play-time.entities.ts';
import { logEntities } from '../logs/logs.entities.ts';
import { analyticsEntities } from '../analytics/analytics.entities.ts';
import { mailEntities } from '../mail/mail.entities.ts';
import { gameEntities } from '../game/game.entities.ts';
import { pushEntities } from '../push/push.entities.ts';
import { clusterEntities } from '../cluster/cluster.entities.ts';

/** Every entity of the product, one line per feature: the ORM, migrations and the admin DB tool read this. */
export const allEntities = [
  ...accountEntities,
  ...identityEntities,
  ...playTimeEntities,
  ...logEntities,
  ...analyticsEntities,
  ...mailEntities,
  ...gameEntities,
  ...pushEntities,
  ...clusterEntities,
];

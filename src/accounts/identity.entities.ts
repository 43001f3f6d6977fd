import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A player's verified real-name identity (S2), one row per account. The number and the name are
 * sealed (identity.vault.ts) and, with the uniqueness hash and the coming-of-age date, hidden: the
 * admin database tool never lists, filters or edits them. What support may see is the masked form.
 */
export const UserIdentity = defineEntity({
  name: 'UserIdentity',
  tableName: 'user_identities',
  // One number binds at most IDENTITY_ACCOUNTS_PER_ID accounts: each binding takes a numbered slot,
  // and the unique key lets exactly one of two concurrent binds have a slot.
  uniques: [{ properties: ['idHash', 'bindSlot'] }],
  properties: {
    userId: p.string().primary().length(20),
    /** HMAC-SHA256 of the number (hex) under a key derived from IDENTITY_KEY. */
    idHash: p.string().length(64).hidden(),
    bindSlot: p.integer(),
    idSealed: p.string().length(255).hidden(),
    nameSealed: p.string().length(400).hidden(),
    maskedId: p.string().length(18),
    maskedName: p.string().length(16),
    /** Local date of the 18th birthday (GAME_TIMEZONE) for players verified as minors; null for adults. */
    adultOn: p.string().length(10).nullable().hidden(),
    verifier: p.string().length(16),
    verifiedAt: p.datetime(3),
  },
});
export type IUserIdentity = InferEntity<typeof UserIdentity>;

export const identityEntities = [UserIdentity];

import { defineEntity, p } from '@mikro-orm/core';

/** Holidays of the play windows (S2 play-time protection): local dates in GAME_TIMEZONE. */
export const Holiday = defineEntity({
  name: 'Holiday',
  tableName: 'holidays',
  properties: {
    day: p.string().primary().length(10),
    createdAt: p.datetime(3),
  },
});

export const playTimeEntities = [Holiday];

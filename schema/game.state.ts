import { schema, t, type SchemaType } from '@colyseus/schema';

/** One seat of a game room; keyed by the Colyseus sessionId in `GameState.players`. */
export const PlayerState = schema({
  userId: t.string(),
  name: t.string(),
  ready: t.boolean().default(false),
  connected: t.boolean().default(true),
  team: t.string().default(''),
}, 'PlayerState');
export type PlayerState = SchemaType<typeof PlayerState>;

/**
 * State every game room shares (API.md "Rooms"). A game extends it with `GameState.extend({...})`
 * and returns an instance from its room's `createState()`.
 */
export const GameState = schema({
  players: t.map(PlayerState),
  mode: t.string(),
  ownerId: t.string().default(''),
  /** Epoch milliseconds (room state carries times as numbers). */
  createdAt: t.float64(),
  /** When the game started (every seat taken, everyone ready), epoch ms; 0 while waiting. Teams are fixed from then on. */
  startedAt: t.float64().default(0),
}, 'GameState');
export type GameState = SchemaType<typeof GameState>;

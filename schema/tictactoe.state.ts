import { t, type SchemaType } from '@colyseus/schema';
import { GameState } from './game.state.ts';

/**
 * Tic-tac-toe on top of the shared game state: `board` holds 9 cells ('' empty, 'X', 'O'),
 * `marks` maps a sessionId to its mark, `turn` is the sessionId to move.
 */
export const TicTacToeState = GameState.extend({
  board: t.array("string"),
  marks: t.map("string"),
  turn: t.string().default(''),
  /** waiting (for two ready players) | playing | won | draw */
  status: t.string().default('waiting'),
  /** sessionId of the winner when status is `won`. */
  winner: t.string().default(''),
}, 'TicTacToeState');
export type TicTacToeState = SchemaType<typeof TicTacToeState>;

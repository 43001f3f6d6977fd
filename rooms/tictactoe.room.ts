import type { Client } from '@colyseus/core';
import { z } from 'zod';
import type { RoomDeps } from './deps.ts';
import { TicTacToeState } from '../schema/tictactoe.state.ts';
import type { PlayerState } from '../schema/game.state.ts';
import { createGameRoom, type ModeRule } from './game.room.ts';
import { message, type MessageTable } from './kit.ts';

/**
 * The example game: tic-tac-toe as a subclass of the game room (docs/ROOMS.md walks through it).
 * Room name `tictactoe`, mode `tictactoe`, 2 players. The game starts when both seats are taken
 * and both players sent `ready {ready: true}`; the owner (first to join) plays X and moves first.
 * `move {cell: 0..8}` is validated on the server: right player, game running, empty cell.
 * A player giving up the seat mid-game (leave, or the reconnection window running out) forfeits.
 */

const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]] as const;

export function winnerOf(board: readonly string[]): 'X' | 'O' | 'draw' | null {
  for (const [a, b, c] of LINES) {
    if (board[a] && board[a] === board[b] && board[a] === board[c]) return board[a] as 'X' | 'O';
  }
  return board.every((cell) => cell) ? 'draw' : null;
}

const moveMessage = z.object({ cell: z.number().int().min(0).max(8) });

export function createTicTacToeRoom(deps: RoomDeps) {
  return class TicTacToeRoom extends createGameRoom(deps) {
    declare state: TicTacToeState;

    override modes(): Record<string, ModeRule> {
      return { tictactoe: { maxClients: 2, teams: [], teamChoice: false } };
    }

    override createState() {
      const state = new TicTacToeState();
      for (let i = 0; i < 9; i++) state.board.push('');
      return state;
    }

    override messageTable(): MessageTable {
      return { ...super.messageTable(), move: message(moveMessage, (client, { cell }) => this.move(client, cell)) };
    }

    override onPlayerReady() {
      const players = [...this.state.players.entries()];
      if (this.state.status !== 'waiting' || players.length < 2 || !players.every(([, p]) => p.ready)) return;
      const owner = players.find(([, p]) => p.userId === this.state.ownerId) ?? players[0]!;
      const other = players.find(([id]) => id !== owner[0])!;
      this.state.marks.set(owner[0], 'X');
      this.state.marks.set(other[0], 'O');
      this.state.turn = owner[0];
      this.state.status = 'playing';
      this.startGame();
      this.sendSystem(`${owner[1].name} (X) vs ${other[1].name} (O): X to move`);
    }

    override onPlayerLeave(sessionId: string, player: PlayerState) {
      if (this.state.status !== 'playing') return;
      const opponent = [...this.state.marks.keys()].find((id) => id !== sessionId) ?? '';
      this.finish('won', opponent);
      this.sendSystem(`${player.name} left: forfeit`);
    }

    move(client: Client, cell: number) {
      const refuse = (message: string) => client.send('error', { type: 'move', code: 'CONFLICT', message });
      if (this.state.status !== 'playing') return refuse('move: the game is not running');
      if (this.state.turn !== client.sessionId) return refuse('move: not your turn');
      if (this.state.board[cell]) return refuse('cell: already taken');
      const mark = this.state.marks.get(client.sessionId)!;
      this.state.board[cell] = mark;
      const result = winnerOf([...this.state.board]);
      if (result === 'draw') return this.finish('draw', '');
      if (result) return this.finish('won', client.sessionId);
      this.state.turn = [...this.state.marks.keys()].find((id) => id !== client.sessionId)!;
    }

    finish(status: 'won' | 'draw', winner: string) {
      this.state.status = status;
      this.state.winner = winner;
      this.state.turn = '';
      const name = winner ? this.state.players.get(winner)?.name ?? '' : '';
      void this.kit.members.log('game_over', null, 'success', { status, winner: name || null });
      this.broadcast('game_over', { status, winner: winner || null, board: [...this.state.board] });
    }
  };
}

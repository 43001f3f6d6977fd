import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The process registry (S11): one row per snowflake worker slot. A process claims a slot at start
 * (the primary key makes the worker id unique across every host of the cluster), writes its
 * heartbeat and load into it, and marks it stopped when it ends. A slot whose heartbeat went stale
 * belongs to a dead process: a survivor reaps it once and the slot is free again.
 */
export const ServerProcess = defineEntity({
  name: 'ServerProcess',
  tableName: 'server_process',
  properties: {
    workerId: p.integer().primary().autoincrement(false),
    /** Colyseus's process id (a new one per start): listings and IPC channels name it. */
    processId: p.string().length(32),
    address: p.string().length(200),
    host: p.string().length(255),
    port: p.integer(),
    pid: p.integer(),
    /** Runs with REDIS_URL (one of a cluster) or alone. */
    cluster: p.boolean(),
    /** Which Redis (host:port/db, no credentials): two clusters on one database would be a split brain. */
    redis: p.string().length(255).nullable(),
    version: p.string().length(32),
    startedAt: p.datetime(3),
    heartbeatAt: p.datetime(3).index(),
    stoppedAt: p.datetime(3).nullable(),
    /** `stopped` (graceful), `dead` (reaped by a survivor), `replaced` (taken over by its own restart). */
    stopReason: p.string().length(16).nullable(),
    ccu: p.integer().default(0),
    rooms: p.integer().default(0),
    sse: p.integer().default(0),
    pushQueue: p.integer().default(0),
  },
});

export type IServerProcess = InferEntity<typeof ServerProcess>;

/** Periodic jobs that must run once per cluster (rollups, retention sweeps) hold a lease here while they run. */
export const JobLease = defineEntity({
  name: 'JobLease',
  tableName: 'job_lease',
  properties: {
    name: p.string().primary().length(64),
    holder: p.string().length(32),
    expiresAt: p.datetime(3),
  },
});

/**
 * The seed's `room` table (当前房间, S4): one row per room that exists now, so operators can read the
 * live room set with SQL. Written when a room is created, when its client count changes (batched
 * per process, about once a second) and when it is disposed; the rows of a stopped or dead process
 * are removed with it.
 */
export const LiveRoom = defineEntity({
  name: 'LiveRoom',
  tableName: 'rooms',
  properties: {
    id: p.string().primary().length(64),
    type: p.string().length(64),
    mode: p.string().length(32).nullable(),
    createdAt: p.datetime(3),
    address: p.string().length(200),
    processId: p.string().length(32).index(),
    private: p.boolean(),
    clients: p.integer(),
    maxClients: p.integer(),
    updatedAt: p.datetime(3),
  },
});

export const clusterEntities = [ServerProcess, JobLease, LiveRoom];

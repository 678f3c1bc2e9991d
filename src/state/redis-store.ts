/** State in Redis for cluster mode: records as hashes with a version, CAS and counters as small Lua scripts. */
import type { Redis } from 'ioredis';
import { lazyModule } from '../lazy-module.js';
import type { StateStore } from './state-store.js';

const CREATE = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const REPLACE = `if redis.call('HGET', KEYS[1], 'ver') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'ver', tonumber(ARGV[1]) + 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
const RENEW_IF = `if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const DELETE_IF = `if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;
const INCR = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;
const DECR = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/** ioredis loads only where a node runs in cluster mode. */
const ioredis = lazyModule<typeof import('ioredis')>('ioredis');

/** Over a URL (its own client, closed with the store) or the composition root's shared client (closed by its owner). */
export function createRedisStateStore(connection: string | Redis, prefix = 'stepgate:'): StateStore {
  const owned = typeof connection === 'string';
  const redis = owned
    ? new (ioredis().Redis)(connection, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true })
    : connection;
  const k = (key: string) => `${prefix}${key}`;
  return {
    kind: 'redis',
    local: false,
    async get<T>(key: string) {
      const h = await redis.hgetall(k(key));
      if (!h.v || !h.ver) return undefined;
      return { value: JSON.parse(h.v) as T, version: Number(h.ver) };
    },
    async create(key, value, ttlMs) {
      return (await redis.eval(CREATE, 1, k(key), JSON.stringify(value), String(ttlMs))) === 1;
    },
    async replace(key, version, value, ttlMs) {
      return (await redis.eval(REPLACE, 1, k(key), String(version), JSON.stringify(value), String(ttlMs))) === 1;
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async renewIf(key, value, ttlMs) {
      return (await redis.eval(RENEW_IF, 1, k(key), JSON.stringify(value), String(ttlMs))) === 1;
    },
    async deleteIf(key, value) {
      await redis.eval(DELETE_IF, 1, k(key), JSON.stringify(value));
    },
    async increment(key, windowMs) {
      return Number(await redis.eval(INCR, 1, k(`c:${key}`), String(windowMs)));
    },
    async count(key) {
      return Number((await redis.get(k(`c:${key}`))) ?? 0);
    },
    async decrement(key) {
      await redis.eval(DECR, 1, k(`c:${key}`));
    },
    async resetCounter(key) {
      await redis.del(k(`c:${key}`));
    },
    async close() {
      if (owned) redis.disconnect();
    },
  };
}

import type { PresenceStore } from './broker.js';

/** Presence records (and other JSON records) in process memory, with a revision counter for compare-and-set. */
export function createMemoryPresenceStore(): PresenceStore {
  const records = new Map<string, Map<string, { record: unknown; revision: string }>>();
  let revisions = 0;
  return {
    async get<R>(topic: string, user: string) {
      const found = records.get(topic)?.get(user);
      return found ? { record: found.record as R, revision: found.revision } : { record: null, revision: null };
    },
    async put(topic, user, record, revision) {
      const users = records.get(topic) ?? new Map<string, { record: unknown; revision: string }>();
      if ((users.get(user)?.revision ?? null) !== revision) return false;
      if (record) users.set(user, { record, revision: String(++revisions) });
      else users.delete(user);
      if (users.size > 0) records.set(topic, users);
      else records.delete(topic);
      return true;
    },
    async users(topic) {
      return [...(records.get(topic)?.keys() ?? [])];
    },
    async entries() {
      return [...records].flatMap(([topic, users]) => [...users.keys()].map((user) => ({ topic, user })));
    },
  };
}

/** What one socket, and one person, may do on the realtime tier. Tests and env set them. */
export type Limits = {
  /** Client events a socket may send per second, sustained, and in a burst. */
  eventsPerSecond: number;
  burst: number;
  /**
   * Refused events a socket may have outstanding before it is cut off. They drain at
   * `eventsPerSecond`, so a client that backs off is never disconnected; only a sustained flood is.
   */
  refusalsBeforeDisconnect: number;
  /** Largest client message, in bytes (larger ones close the connection at the transport). */
  maxPayloadBytes: number;
  /** A socket's typing events per channel are relayed at most this often. */
  typingIntervalMs: number;
  /** Sockets one person may hold at once, on all nodes together (tabs and devices). */
  socketsPerUser: number;
  /** A channel's presence is announced at most this often: a herd of joins costs one broadcast. */
  presenceIntervalMs: number;
};

export const defaultLimits: Limits = {
  eventsPerSecond: 10,
  burst: 30,
  refusalsBeforeDisconnect: 150,
  maxPayloadBytes: 16 * 1024,
  typingIntervalMs: 1000,
  socketsPerUser: 20,
  presenceIntervalMs: 50,
};

/** A token bucket: bursts up to `capacity`, then `perSecond`; true when an event may pass. */
export function tokenBucket({ capacity, perSecond }: { capacity: number; perSecond: number }, now: () => number = Date.now) {
  let tokens = capacity;
  let last = now();
  return () => {
    const time = now();
    tokens = Math.min(capacity, tokens + ((time - last) / 1000) * perSecond);
    last = time;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** A count that drains by `perSecond`: each call adds one and answers the level now. */
export function drainingCount({ perSecond }: { perSecond: number }, now: () => number = Date.now) {
  let level = 0;
  let last = now();
  return () => {
    const time = now();
    level = Math.max(0, level - ((time - last) / 1000) * perSecond) + 1;
    last = time;
    return level;
  };
}

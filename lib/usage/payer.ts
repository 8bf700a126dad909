/**
 * Who pays for a model call. The public API: the owner of the key that made the request, for
 * every call of it (each agent's contribution and the synthesis included), whoever owns the
 * agents. A channel: the person whose message started the chain of replies, hand-offs included,
 * or the person who retried a reply; so mentioning someone else's agent spends the mentioner's
 * budget, never the agent owner's, and retrying spends the retrier's.
 */
export type Payer = { userId: string };

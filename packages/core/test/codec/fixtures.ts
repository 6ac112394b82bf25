/**
 * Two different schema texts with the same id (the first 31 bits of their SHA-256 are equal), found by
 * search. They let tests drive the registries' collision handling.
 */
export const COLLIDING = ['{"type":"string","doc":"collision 30623"}', '{"type":"string","doc":"collision 41432"}'] as const;

/** Two Avro schemas whose canonical texts (keys sorted) collide the same way, for the codec. */
export const COLLIDING_AVRO = [
  { type: 'string', doc: 'collision 4477' },
  { type: 'string', doc: 'collision 36054' },
] as const;

import { MemoryLogTransport } from '@tributary/kafka';
import { streamBehaviour } from './support/stream-behaviour.js';

// The hub on the memory log: what users' unit tests get, and the seed's behaviour in milliseconds.
streamBehaviour('memory', async () => ({ transport: new MemoryLogTransport() }));

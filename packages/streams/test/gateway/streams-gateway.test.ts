import { MemoryLogTransport, silentLogger } from '@tributary/kafka';
import { createStreams } from '@tributary/streams';
import { gatewaySuite } from './support/gateway-suite.js';

// The gateway over the real hub, on the memory log (the Kafka run is streams-gateway.kafka.test.ts).
gatewaySuite('Streams hub on the memory log', () => {
  const hub = createStreams({ transport: new MemoryLogTransport(), logger: silentLogger });
  return { service: hub, cleanup: () => hub.closeHub() };
});

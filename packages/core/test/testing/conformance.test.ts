import { describeProducerPluginConformance } from '../../src/testing/index.js';
import { RecordingPlugin } from '../plugin/recording-plugin.js';

// The suite itself, run against the core's test double, both with immediate and with delayed acks.
describeProducerPluginConformance('recording', ({ settings, partitions }) => {
  const plugin = new RecordingPlugin({ ...settings, partitions });
  return { plugin, readBack: async (topic) => plugin.log.filter((s) => s.offset.topic === topic) };
});

describeProducerPluginConformance(
  'recording-slow-acks',
  ({ settings, partitions }) => {
    const plugin = new RecordingPlugin({ ...settings, partitions, ackDelayMs: 2 });
    return { plugin, readBack: async (topic) => plugin.log.filter((s) => s.offset.topic === topic) };
  },
  { events: 60 },
);

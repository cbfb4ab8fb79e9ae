import { describe, expect, it } from 'vitest';
import { partitionStreams, streamNames, subjectTopic, topicSubject } from './nats-stream.js';

describe('partitionStreams', () => {
  it('keeps the deployment stream, its subjects and so its ids for one partition', () => {
    expect(partitionStreams(streamNames('ssehub'), 1)).toEqual([{ stream: 'SSEHUB', prefix: 'ssehub', all: 'ssehub.>' }]);
  });

  it('gives each of several partitions a stream over its own subjects', () => {
    const streams = partitionStreams(streamNames('app'), 3);
    expect(streams.map((names) => [names.stream, names.all])).toEqual([
      ['APP_0', 'app.0.>'],
      ['APP_1', 'app.1.>'],
      ['APP_2', 'app.2.>'],
    ]);
    expect(topicSubject(streams[2]!, 'rooms/lobby')).toBe('app.2.rooms.lobby');
    expect(subjectTopic(streams[2]!, 'app.2.rooms.lobby')).toBe('rooms/lobby');
  });
});

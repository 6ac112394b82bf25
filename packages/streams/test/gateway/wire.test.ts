import { describe, expect, it } from 'vitest';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { ClassRegistry } from '../../src/codec/class-registry.js';
import { JsonStreamCodec } from '../../src/codec/json-stream-codec.js';
import { ackJson, deliveryJson, errorJson, GatewayErrorReasons, parseRequest, wireErrorOf, type GatewayRequest } from '../../src/gateway/wire.js';
import { isValidStreamName } from '../../src/stream-name.js';
import { Point } from '../codec/generate.js';

const codec = new JsonStreamCodec({ registry: new ClassRegistry().register(Point, { name: 'geo.point', version: '1.0' }) });
const parse = (line: string | Buffer, number = 7) => parseRequest(typeof line === 'string' ? Buffer.from(line) : line, number, codec);

function request(line: string): GatewayRequest {
  const parsed = parse(line);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.request;
}

describe('parseRequest', () => {
  it('reads the six actions of the seed, reviving registered objects in messages', () => {
    expect(request('{"action":"put","stream":"job-1","message":{"at":{".class":"geo.point",".version":"1.0",".state":{"x":1,"y":2}}}}')).toEqual({
      action: 'put',
      stream: 'job-1',
      message: { at: new Point(1, 2) },
    });
    expect((request('{"action":"put","stream":"s","message":{"at":{".class":"geo.point",".version":"1.0",".state":{"x":1,"y":2}}}}') as { message: { at: unknown } }).message.at).toBeInstanceOf(Point);
    expect(request('{"action":"header","stream":"s","message":null,"id":"h1"}')).toEqual({ action: 'header', stream: 's', message: null, id: 'h1' });
    expect(request('{"action":"close","stream":"s","message":"ignored"}')).toEqual({ action: 'close', stream: 's' });
    expect(request('{"action":"delete","stream":"s","id":3}')).toEqual({ action: 'delete', stream: 's', id: 3 });
    expect(request('{"action":"listen","stream":"s"}')).toEqual({ action: 'listen', stream: 's' });
    expect(request('{"action":"listen","stream":"s","from":{"epoch":"e","offset":"41"},"maxQueued":50}')).toEqual({ action: 'listen', stream: 's', from: { epoch: 'e', offset: '41' }, maxQueued: 50 });
    expect(request('{"action":"listen","stream":"s","from":"start"}')).toEqual({ action: 'listen', stream: 's', from: 'start' });
    expect(request('{"action":"hangup","stream":null}')).toEqual({ action: 'hangup', stream: null });
    expect(request('{"action":"hangup","stream":"s","extra":"ignored"}')).toEqual({ action: 'hangup', stream: 's' });
  });

  it.each([
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), GatewayErrorReasons.NOT_UTF8, 'Line 7 is not UTF-8 text'],
    ['not JSON', '{"action":', GatewayErrorReasons.NOT_JSON, /^Line 7 is not JSON: /],
    ['an array', '[1]', GatewayErrorReasons.NOT_OBJECT, 'Line 7 is an array, not a request object {"action", "stream", "message"}'],
    ['a string', '"put"', GatewayErrorReasons.NOT_OBJECT, 'Line 7 is a string, not a request object {"action", "stream", "message"}'],
    ['null', 'null', GatewayErrorReasons.NOT_OBJECT, 'Line 7 is null, not a request object {"action", "stream", "message"}'],
    ['no action', '{"stream":"s"}', GatewayErrorReasons.UNKNOWN_ACTION, 'Line 7 has no "action"; the actions are header, delete, put, listen, hangup, close'],
    ['an unknown action', '{"action":"publish","stream":"s"}', GatewayErrorReasons.UNKNOWN_ACTION, 'Line 7 has action "publish"; the actions are header, delete, put, listen, hangup, close'],
    ['no stream', '{"action":"put","message":1}', GatewayErrorReasons.INVALID_STREAM, 'Line 7 (put) has no "stream"'],
    ['hangup without stream', '{"action":"hangup"}', GatewayErrorReasons.INVALID_STREAM, 'Line 7 (hangup) has no "stream": give a stream name, or null to hang up every stream'],
    ['an empty stream', '{"action":"listen","stream":""}', GatewayErrorReasons.INVALID_STREAM, 'Line 7 (listen): stream "" is not a stream name (1 to 1024 characters without control characters)'],
    ['a null stream to put', '{"action":"put","stream":null,"message":1}', GatewayErrorReasons.INVALID_STREAM, 'Line 7 (put): stream null is not a stream name (1 to 1024 characters without control characters)'],
    ['a control character', '{"action":"close","stream":"a\\u0007b"}', GatewayErrorReasons.INVALID_STREAM, 'Line 7 (close): stream "a\\u0007b" is not a stream name (1 to 1024 characters without control characters)'],
    ['no message', '{"action":"header","stream":"s"}', GatewayErrorReasons.MISSING_MESSAGE, 'Line 7 (header) has no "message"'],
    ['a bad from', '{"action":"listen","stream":"s","from":{"offset":1}}', GatewayErrorReasons.INVALID_FIELD, 'Line 7 (listen): "from" must be "header", "start" or a position {"epoch": string, "offset": string}, got {"offset":1}'],
    ['a bad maxQueued', '{"action":"listen","stream":"s","maxQueued":0}', GatewayErrorReasons.INVALID_FIELD, 'Line 7 (listen): "maxQueued" must be a positive integer, got 0'],
    ['a bad id', '{"action":"put","stream":"s","message":1,"id":{}}', GatewayErrorReasons.INVALID_FIELD, 'Line 7: "id" must be a string or a number, got {}'],
  ])('refuses %s, naming the problem', (_, line, reason, message) => {
    const parsed = parse(line);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT, reason, retriable: false });
    if (typeof message === 'string') expect(parsed.error.message).toBe(message);
    else expect(parsed.error.message).toMatch(message);
  });

  it('keeps the id and the stream of a refused request, so the client can tell which failed', () => {
    expect(parse('{"action":"header","stream":"s","id":9}')).toMatchObject({ ok: false, id: 9, stream: 's' });
    expect(parse('{"action":"nope","stream":"s","id":"x"}')).toMatchObject({ ok: false, id: 'x', stream: 's' });
  });

  it('refuses a message the codec cannot decode with its code and words', () => {
    const parsed = parse('{"action":"put","stream":"s","id":1,"message":{".class":"geo.point",".version":"9.0",".state":{}}}');
    expect(parsed).toMatchObject({
      ok: false,
      id: 1,
      stream: 's',
      error: { code: ErrorCodes.DECODE_FAILED, reason: GatewayErrorReasons.UNDECODABLE_MESSAGE, message: 'Line 7 (put): Cannot decode the message as JSON at $: class "geo.point" arrived in version "9.0", but version "1.0" is registered' },
    });
  });

  it('accepts the stream service\'s names and nothing else', () => {
    expect(['a', 'job/1 ü', 'x'.repeat(1024)].every(isValidStreamName)).toBe(true);
    expect(['', 'x'.repeat(1025), 'a\nb', 'del\u007f', 5, null].some(isValidStreamName)).toBe(false);
  });
});

describe('lines to clients', () => {
  it('writes deliveries with the message as the codec gives it', () => {
    const position = { epoch: 'e1', offset: '12' };
    expect(deliveryJson({ action: 'put', stream: 's', message: [new Point(1, 2)], position }, codec)).toEqual({
      action: 'put',
      stream: 's',
      message: [{ '.class': 'geo.point', '.version': '1.0', '.state': { x: 1, y: 2 } }],
      position,
    });
    expect(deliveryJson({ action: 'header', stream: 's', message: 'h', position }, codec)).toEqual({ action: 'header', stream: 's', message: 'h', position });
    expect(deliveryJson({ action: 'close', stream: 's', position }, codec)).toEqual({ action: 'close', stream: 's', position });
    expect(deliveryJson({ action: 'close', stream: 's', reason: 'slow' }, codec)).toEqual({ action: 'close', stream: 's', reason: 'slow' });
    expect(() => deliveryJson({ action: 'put', stream: 's', message: new Date(), position }, codec)).toThrow(/class Date is not a registered message class/);
  });

  it('writes errors and acks', () => {
    const error = { code: 'INVALID_ARGUMENT', reason: GatewayErrorReasons.NOT_JSON, message: 'm', retriable: false };
    expect(errorJson(error, { line: 3, id: 'a', stream: null })).toEqual({ action: 'error', error, line: 3, id: 'a', stream: null });
    expect(errorJson(error)).toEqual({ action: 'error', error });
    expect(ackJson(4, 9)).toEqual({ action: 'ack', id: 4, line: 9 });
    expect(ackJson('l', 1, false)).toEqual({ action: 'ack', id: 'l', line: 1, recovered: false });
  });

  it("carries a thrown error's Tributary code and retriable flag, or UNKNOWN", () => {
    expect(wireErrorOf(new TributaryError(ErrorCodes.CONNECTION, 'down', { retriable: true }), GatewayErrorReasons.SERVICE, 'Line 1 (put) failed: ')).toEqual({
      code: 'CONNECTION',
      reason: 'service',
      message: 'Line 1 (put) failed: down',
      retriable: true,
    });
    expect(wireErrorOf(new Error('boom'), GatewayErrorReasons.SERVICE, '')).toEqual({ code: 'UNKNOWN', reason: 'service', message: 'boom', retriable: false });
  });
});

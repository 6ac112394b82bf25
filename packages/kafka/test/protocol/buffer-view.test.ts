import { isAscii, isUtf8 } from 'node:buffer';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { viewOf } from '../../src/protocol/buffer-view.js';

describe('viewOf', () => {
  const buf = Buffer.concat([Buffer.from('xx'), Buffer.from('héllo, world'), Buffer.from('yy')]);
  const view = viewOf(buf, 2, Buffer.byteLength('héllo, world'));

  it('is a Buffer wherever callers look, with the bytes subarray() gives', () => {
    expect(view).toBeInstanceOf(Buffer);
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view.equals(buf.subarray(2, buf.length - 2))).toBe(true);
    expect(view.toString('utf8')).toBe('héllo, world');
    expect([isUtf8(view), isAscii(view)]).toEqual([true, false]);
    expect(view.readUInt8(0)).toBe(0x68);
    expect(Buffer.concat([view, Buffer.from('!')]).toString()).toBe('héllo, world!');
    expect(view.toJSON()).toEqual(buf.subarray(2, buf.length - 2).toJSON());
    // Equal to a Buffer of the same bytes by every deep equality: the same prototype and constructor.
    expect(view).toStrictEqual(Buffer.from('héllo, world'));
    expect(isDeepStrictEqual(view, Buffer.from('héllo, world'))).toBe(true);
    expect(view.constructor).toBe(Buffer);
  });

  it('shares memory with the buffer it views, and a view of it is a Buffer view too', () => {
    const copy = Buffer.from(buf);
    const v = viewOf(copy, 2, 5);
    copy[2] = 0x48;
    expect(v.toString('latin1', 0, 1)).toBe('H');
    const inner = v.subarray(1, 3);
    expect(Buffer.isBuffer(inner)).toBe(true);
    expect(inner.byteOffset).toBe(copy.byteOffset + 3);
    expect(v.slice(0, 1).toString('latin1')).toBe('H');
  });

  it('views a pooled buffer at its own offset, and empty ranges', () => {
    const pooled = Buffer.from('pooled bytes');
    expect(pooled.byteOffset === 0 || pooled.buffer.byteLength > pooled.length).toBe(true);
    expect(viewOf(pooled, 7, 5).toString()).toBe('bytes');
    expect(viewOf(pooled, 3, 0).length).toBe(0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange, rangeResponse } from '../../../src/main/host/byte-range.js';

describe('HTTP byte ranges', () => {
  it('reads the ranges a video element asks for', () => {
    assert.deepEqual(parseRange('bytes=0-', 1000), { start: 0, end: 999 });
    assert.deepEqual(parseRange('bytes=100-199', 1000), { start: 100, end: 199 });
    assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  });

  it('serves the whole file for no range or one it does not take, and refuses ranges past the end', () => {
    for (const header of [undefined, null, '', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6', 'bytes=a-b']) assert.equal(parseRange(header, 1000), null, String(header));
    for (const header of ['bytes=1000-', 'bytes=200-100', 'bytes=-0']) assert.equal(parseRange(header, 1000), 'unsatisfiable', header);
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  });

  it('answers 200, 206 or 416 with the headers that go with each', () => {
    assert.deepEqual(rangeResponse(null, 10), { status: 200, headers: { 'accept-ranges': 'bytes', 'content-length': '10' }, start: 0, end: 9 });
    assert.deepEqual(rangeResponse({ start: 2, end: 5 }, 10), {
      status: 206,
      headers: { 'accept-ranges': 'bytes', 'content-range': 'bytes 2-5/10', 'content-length': '4' },
      start: 2,
      end: 5,
    });
    assert.equal(rangeResponse('unsatisfiable', 10).headers['content-range'], 'bytes */10');
  });
});

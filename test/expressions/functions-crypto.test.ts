import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('identity, hashing and encoding functions', () => {
  it('uuid gives distinct version 4 UUIDs', () => {
    const a = ev('uuid()') as string;
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, ev('uuid()'));
    assert.throws(() => ev('uuid(1)'), /uuid\(\) takes no arguments, got 1/);
  });

  it('hash defaults to sha256 and accepts other algorithms', () => {
    assert.equal(ev('hash("abc")'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(ev('hash("abc", "md5")'), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(ev('hash("abc", algorithm="sha1")'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal((ev('hash(value="abc", algorithm="SHA512")') as string).length, 128);
    assert.equal(ev('hash({a: 1})'), ev('hash("{\\"a\\":1}")'));
    fails('hash("abc", "crc32")', /does not know the algorithm "crc32"/);
  });

  it('md5', () => {
    assert.equal(ev('md5("abc")'), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(ev('md5(value="")'), 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('base64_encode and base64_decode', () => {
    assert.equal(ev('base64_encode("hello")'), 'aGVsbG8=');
    assert.equal(ev('base64_encode(text="héllo")'), 'aMOpbGxv');
    assert.equal(ev('base64_decode("aGVsbG8=")'), 'hello');
    assert.equal(ev('base64_decode("aGVsbG8")'), 'hello');
    assert.equal(ev('base64_decode(text="aMOpbGxv")'), 'héllo');
    assert.equal(ev('base64_decode(base64_encode("round trip ✓"))'), 'round trip ✓');
    fails('base64_decode("not base64!")', /not Base64/);
    fails('base64_decode("/w==")', /not UTF-8 text/);
  });
});

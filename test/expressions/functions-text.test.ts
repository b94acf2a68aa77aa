import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('text functions', () => {
  it('lower, upper, trim', () => {
    assert.equal(ev('lower("HeLLo")'), 'hello');
    assert.equal(ev('upper($prev.name)'), 'WIDGET');
    assert.equal(ev('trim("  hi \\n")'), 'hi');
    assert.equal(ev('upper(text="x")'), 'X');
    assert.equal(ev('lower(null)'), '');
    assert.equal(ev('upper(12)'), '12');
    fails('upper([1])', /upper\(\): expects text, got a list/);
  });

  it('split', () => {
    assert.deepEqual(ev('split("a,b,c", ",")'), ['a', 'b', 'c']);
    assert.deepEqual(ev('split("  a  b\\tc ")'), ['a', 'b', 'c']);
    assert.deepEqual(ev('split("")'), []);
    assert.deepEqual(ev('split("abc", "")'), ['a', 'b', 'c']);
    assert.deepEqual(ev('split(text="a-b", separator="-")'), ['a', 'b']);
    assert.deepEqual(ev('split("a,,b", ",")'), ['a', '', 'b']);
    fails('split({}, ",")', /expects text, got an object/);
  });

  it('join', () => {
    assert.equal(ev('join(["a", "b", "c"])'), 'a,b,c');
    assert.equal(ev('join(["a", "b"], " & ")'), 'a & b');
    assert.equal(ev('join([1, null, true, [2]], "|")'), '1||true|[2]');
    assert.equal(ev('join(list=[1, 2], separator="")'), '12');
    assert.equal(ev('join(null)'), '');
    fails('join("abc")', /join\(\): expects a list, got text "abc"/);
  });

  it('replace replaces every occurrence, literally', () => {
    assert.equal(ev('replace("a-b-c", "-", "+")'), 'a+b+c');
    assert.equal(ev('replace("a.b", ".", "$&$&")'), 'a$&$&b');
    assert.equal(ev('replace(text="aaa", old="a", new="b")'), 'bbb');
    fails('replace("abc", "", "x")', /expects old to be non-empty/);
  });

  it('starts_with and ends_with', () => {
    assert.equal(ev('starts_with("skynette", "sky")'), true);
    assert.equal(ev('starts_with("skynette", "net")'), false);
    assert.equal(ev('ends_with("report.pdf", ".pdf")'), true);
    assert.equal(ev('ends_with(text="report.pdf", suffix=".doc")'), false);
    assert.equal(ev('starts_with(text="ab", prefix="a")'), true);
  });

  it('format fills {}, {0} and {name} placeholders', () => {
    assert.equal(ev('format("{} + {} = {}", 1, 2, 3)'), '1 + 2 = 3');
    assert.equal(ev('format("{1} {0} {1}", "a", "b")'), 'b a b');
    assert.equal(ev('format("Hi {name}, {n} new", name="Ann", n=3)'), 'Hi Ann, 3 new');
    assert.equal(ev('format("{{literal}} {}", "x")'), '{literal} x');
    assert.equal(ev('format("{:,}", 1234567)'), '1,234,567');
    assert.equal(ev('format("{:.2f}", 3.14159)'), '3.14');
    assert.equal(ev('format("{:,.2f}", 1234.5)'), '1,234.50');
    assert.equal(ev('format("{u.name}", u=$prev.user)'), 'Ann');
    assert.equal(ev('format("{} {}", null, [1])'), ' [1]');
    assert.equal(ev('format(template="{a}!", a=1)'), '1!');
    assert.equal(ev('format("{}-{}", values=["a", "b"])'), 'a-b');
    fails('format("{} {}", 1)', /format\(\): needs a value for placeholder number 2/);
    fails('format("{name}")', /has no value for \{name\}/);
    fails('format("{} {0}", 1)', /cannot mix/);
    fails('format("{", 1)', /no closing "}"/);
    fails('format("}", 1)', /single "}"/);
    fails('format("{:x}", 1)', /does not support the format spec/);
    fails('format("{:.2f}", "a")', /needs a number/);
  });

  it('url_encode and url_decode', () => {
    assert.equal(ev('url_encode("a b&c=d/é")'), 'a%20b%26c%3Dd%2F%C3%A9');
    assert.equal(ev('url_decode("a%20b%26c")'), 'a b&c');
    assert.equal(ev('url_decode(url_encode("x y?z"))'), 'x y?z');
    assert.equal(ev('url_decode("a+b")'), 'a+b');
    fails('url_decode("%E0%A4%A")', /malformed %-sequence/);
  });
});

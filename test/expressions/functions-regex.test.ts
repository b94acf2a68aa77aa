import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('regular expression functions', () => {
  it('regex_test', () => {
    assert.equal(ev('regex_test("order-1234", "\\\\d{4}")'), true);
    assert.equal(ev('regex_test("ORDER", "order")'), false);
    assert.equal(ev('regex_test("ORDER", "order", "i")'), true);
    assert.equal(ev('regex_test(text="a\\nb", pattern="^b$", flags="m")'), true);
    // A global flag must not make repeated calls alternate between true and false.
    for (let i = 0; i < 3; i++) assert.equal(ev('regex_test("abc", "b", "g")'), true);
  });

  it('regex_match returns the match, groups, named groups and index', () => {
    assert.deepEqual(ev('regex_match("id=42", "id=(\\\\d+)")'), { match: 'id=42', groups: ['42'], named: {}, index: 0 });
    assert.equal(ev('regex_match("x id=42", "id=(\\\\d+)").groups[0]'), '42');
    assert.deepEqual(ev('regex_match("2024-05", "(?<y>\\\\d{4})-(?<m>\\\\d{2})").named'), { y: '2024', m: '05' });
    assert.deepEqual(ev('regex_match("ab", "a(x)?b").groups'), [null]);
    assert.equal(ev('regex_match("abc", "z")'), null);
    assert.deepEqual(
      ev('regex_match(text="a1b22", pattern="\\\\d+", flags="g")'),
      [
        { match: '1', groups: [], named: {}, index: 1 },
        { match: '22', groups: [], named: {}, index: 3 },
      ],
    );
  });

  it('regex_replace replaces every match by default and supports $ references', () => {
    assert.equal(ev('regex_replace("a1b22", "\\\\d+", "#")'), 'a#b#');
    assert.equal(ev('regex_replace("a1b22", "\\\\d+", "#", "")'), 'a#b22');
    assert.equal(ev('regex_replace("John Smith", "(\\\\w+) (\\\\w+)", "$2, $1")'), 'Smith, John');
    assert.equal(ev('regex_replace("2024-05", "(?<y>\\\\d+)-(?<m>\\\\d+)", "$<m>/$<y>")'), '05/2024');
    assert.equal(ev('regex_replace("abc", "b", "[$&$$]")'), 'a[b$]c');
    assert.equal(ev('regex_replace("abc", "b", "<$`|$\'>")'), 'a<a|c>c');
    assert.equal(ev('regex_replace(text="aXbX", pattern="x", replacement="-", flags="gi")'), 'a-b-');
  });

  it('rejects bad patterns and flags', () => {
    fails('regex_test("a", "(")', /regex_test\(\): cannot read the pattern/);
    fails('regex_test("a", "a", "q")', /expects flags made of g, i, m, s, u, y/);
    fails('regex_test("a", "a", "ii")', /each once/);
  });

  it('refuses nested quantifiers and overlapping repeated alternatives', () => {
    for (const pattern of ['(a+)+', '(a*)*', '(\\\\w+\\\\s?)*', '(a+){10}', '(?:a+)+b', '(.*a){20}', '([a-z]+)*$']) {
      fails(`regex_test("aaaa", "${pattern}")`, /refuses the pattern: .* repeats a group that itself holds a quantifier/);
    }
    fails('regex_test("aaaa", "(a|a)*")', /repeats alternatives that may overlap/);
    fails('regex_match("aaaa", "(a|ab)+")', /repeats alternatives that may overlap/);
  });

  it('allows common safe patterns', () => {
    assert.equal(ev('regex_test("10.0.0.1", "^(\\\\d{1,3}\\\\.){3}\\\\d{1,3}$")'), true);
    assert.equal(ev('regex_test("my-slug-here", "^[a-z]+(-[a-z]+)*$")'), true);
    assert.equal(ev('regex_test("foobar", "^(foo|bar)+$")'), true);
    assert.equal(ev('regex_test("1.2.3", "^\\\\d+(\\\\.\\\\d+)+$")'), true);
    assert.equal(ev('regex_test("a@b.com", "^[^@\\\\s]+@[^@\\\\s]+$")'), true);
  });

  it('stays fast on the classic catastrophic input once refused', () => {
    const started = Date.now();
    fails(`regex_test("${'a'.repeat(40)}!", "^(a+)+$")`, /refuses the pattern/);
    assert.ok(Date.now() - started < 1_000);
  });

  it('caps pattern and input length', () => {
    fails(`regex_test("a", "${'a'.repeat(501)}")`, /at most 500 characters, got 501/);
    const s = { $prev: { big: 'a'.repeat(100_001) } };
    fails('regex_test($prev.big, "a")', /at most 100,000 characters, got 100,001/, s);
    assert.equal(ev('regex_test($prev.ok, "a$")', { $prev: { ok: 'a'.repeat(100_000) } }), true);
  });
});

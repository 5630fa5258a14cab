import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../src/input/json-keys.js';

describe('duplicate JSON keys (issue 14 item 9)', () => {
  it('finds a key twice in one object, at any depth, naming its path', () => {
    expect(
      findDuplicateKey(
        '{"orderId":"o1","sellerId":"seller_7","amount":"10.00","amount":"9999.00"}',
      ),
    ).toEqual({ path: 'amount', key: 'amount' });
    expect(findDuplicateKey('{"orders":[{"a":1},{"amount":"1","b":[1,2],"amount":"2"}]}')).toEqual({
      path: 'orders[1].amount',
      key: 'amount',
    });
    expect(findDuplicateKey('{"m":{"t":{"x":1,"x":2}}}')).toEqual({ path: 'm.t.x', key: 'x' });
    expect(findDuplicateKey('[{"a":1},[{"k":1,"k":1}]]')).toEqual({ path: '[1][0].k', key: 'k' });
  });

  it('compares keys decoded: an escaped spelling is the same key', () => {
    expect(findDuplicateKey('{"amount":"1","amo\\u0075nt":"2"}')).toEqual({
      path: 'amount',
      key: 'amount',
    });
    expect(findDuplicateKey('{"a\\"b":1,"a\\"b":2}')).toEqual({ path: 'a"b', key: 'a"b' });
    expect(findDuplicateKey('{"a\\\\":1,"a\\\\":2}')).toEqual({ path: 'a\\', key: 'a\\' });
  });

  it('leaves alone the same key in different objects, keys inside strings, and values equal to keys', () => {
    for (const text of [
      '{"amount":"1","orders":[{"amount":"2"},{"amount":"3"}],"m":{"amount":"4"}}',
      '{"note":"\\"amount\\":\\"1\\",\\"amount\\":\\"2\\"","amount":"amount"}',
      '{"a\\\\":"{\\"b\\":1,\\"b\\":2}","b":"[,{,}]"}',
      '{"a":[],"b":{},"c":[{}],"d":"x"}',
      '[1,"a",{"a":1}]',
      '"just a string"',
      '{"":1,"a":{"":2}}',
    ]) {
      expect(JSON.parse(text)).toBeDefined();
      expect(findDuplicateKey(text), text).toBeUndefined();
    }
    expect(findDuplicateKey('{"":1,"":2}')).toEqual({ path: '', key: '' });
  });
});

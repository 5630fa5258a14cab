import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventRejection,
  MAX_ORDER_AMOUNT_MINOR,
  type PayInEvent,
  canonicalJson,
  maskIban,
  normalizeIban,
  validateEvent as validateAnyEvent,
} from '../../src/payments/events.js';
import { containsCardNumber } from '../../src/input/card-numbers.js';

/** Most tests here are about pay_in: narrow the union for them. */
function validateEvent(value: unknown): PayInEvent {
  const event = validateAnyEvent(value);
  if (event.type !== 'pay_in') throw new Error(`expected a pay_in event, got ${event.type}`);
  return event;
}

/** The pay_in example of DESIGN.md §3. */
function example(): Record<string, unknown> {
  return {
    eventId: 'chk_0001',
    type: 'pay_in',
    occurredAt: '2026-11-23T10:15:00Z',
    currency: 'USD',
    payer: { id: 'buyer_42' },
    paymentToken: 'tok_visa',
    orders: [
      {
        orderId: 'ord_0001',
        sellerId: 'seller_7',
        amount: '25.00',
        platformFee: '2.50',
        metadata: { sku: 'A1' },
      },
      { orderId: 'ord_0002', sellerId: 'seller_9', amount: '10.00' },
    ],
  };
}

/** The example with the given top-level fields replaced (undefined removes a field). */
function withEvent(changes: Record<string, unknown>): Record<string, unknown> {
  const event = example();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event;
}

/** The example with the first order's given fields replaced (undefined removes a field). */
function withOrder(changes: Record<string, unknown>): Record<string, unknown> {
  const event = example();
  const order = (event.orders as Record<string, unknown>[])[0] as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete order[key];
    else order[key] = value;
  }
  return event;
}

function rejectionOf(value: unknown): EventRejection {
  try {
    validateEvent(value);
  } catch (error) {
    if (error instanceof EventRejection) return error;
    throw error;
  }
  throw new Error('expected validateEvent to reject the event');
}

describe('validateEvent: a valid pay_in', () => {
  it('parses the DESIGN §3 example exactly: bigint minor units, fee default 0, canonical metadata, UTC instant', () => {
    const event = validateEvent(example());
    expect(event).toEqual({
      type: 'pay_in',
      eventId: 'chk_0001',
      occurredAt: '2026-11-23T10:15:00.000Z',
      currency: 'USD',
      payerId: 'buyer_42',
      paymentToken: 'tok_visa',
      orders: [
        {
          orderId: 'ord_0001',
          sellerId: 'seller_7',
          amountMinor: 2500n,
          platformFeeMinor: 250n,
          metadata: '{"sku":"A1"}',
        },
        {
          orderId: 'ord_0002',
          sellerId: 'seller_9',
          amountMinor: 1000n,
          platformFeeMinor: 0n,
          metadata: '{}',
        },
      ],
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(typeof event.orders[0]?.amountMinor).toBe('bigint');
  });

  it('normalizes occurredAt with an offset to UTC with milliseconds', () => {
    expect(validateEvent(withEvent({ occurredAt: '2026-11-23T10:15:00+01:00' })).occurredAt).toBe(
      '2026-11-23T09:15:00.000Z',
    );
    expect(validateEvent(withEvent({ occurredAt: '2026-11-23T10:15:00.5Z' })).occurredAt).toBe(
      '2026-11-23T10:15:00.500Z',
    );
  });

  it('stores metadata as canonical JSON, keys sorted at every level', () => {
    const event = validateEvent(
      withOrder({ metadata: { z: 1, a: { y: [{ b: 2, a: 1 }], x: 'é' } } }),
    );
    expect(event.orders[0]?.metadata).toBe('{"a":{"x":"é","y":[{"a":1,"b":2}]},"z":1}');
  });

  it('reads JPY and KWD amounts in their own minor units', () => {
    const jpy = validateEvent(
      withEvent({
        currency: 'JPY',
        orders: [{ orderId: 'o1', sellerId: 's1', amount: '1500', platformFee: '150' }],
      }),
    );
    expect(jpy.orders[0]).toMatchObject({ amountMinor: 1500n, platformFeeMinor: 150n });
    const kwd = validateEvent(
      withEvent({
        currency: 'KWD',
        orders: [{ orderId: 'o1', sellerId: 's1', amount: '1.005', platformFee: '0.001' }],
      }),
    );
    expect(kwd.orders[0]).toMatchObject({ amountMinor: 1005n, platformFeeMinor: 1n });
  });

  it('accepts the largest amount an order may be and a fee equal to the amount', () => {
    const event = validateEvent(
      withOrder({ amount: '10000000000000.00', platformFee: '10000000000000.00' }),
    );
    expect(event.orders[0]).toMatchObject({
      amountMinor: MAX_ORDER_AMOUNT_MINOR,
      platformFeeMinor: MAX_ORDER_AMOUNT_MINOR,
    });
  });
});

describe('validateEvent: rejections name the field', () => {
  const cases: [name: string, value: unknown, field: string, reason?: RegExp][] = [
    ['a value that is not an object', [1, 2], 'event'],
    ['a missing eventId', withEvent({ eventId: undefined }), 'eventId', /required/],
    ['an empty eventId', withEvent({ eventId: '' }), 'eventId', /required/],
    ['an eventId with a space', withEvent({ eventId: 'chk 1' }), 'eventId'],
    ['an eventId that is a number', withEvent({ eventId: 1 }), 'eventId'],
    ['an unknown type', withEvent({ type: 'payin' }), 'type', /pay_in/],
    ['a missing type', withEvent({ type: undefined }), 'type'],
    [
      'an unknown top-level field',
      withEvent({ platformFee: '1.00' }),
      'platformFee',
      /unknown field/,
    ],
    [
      'a misspelled order field',
      withOrder({ platfromFee: '2.50' }),
      'orders[0].platfromFee',
      /unknown field \(did you mean "platformFee"\?\)/,
    ],
    [
      'a misspelled top-level field',
      withEvent({ paymentTokn: 'tok_visa' }),
      'paymentTokn',
      /unknown field \(did you mean "paymentToken"\?\)/,
    ],
    ['a lower-case currency', withEvent({ currency: 'usd' }), 'currency', /ISO 4217/],
    ['an unknown currency', withEvent({ currency: 'ABC' }), 'currency', /ISO 4217/],
    ['a missing currency', withEvent({ currency: undefined }), 'currency'],
    ['a missing payer', withEvent({ payer: undefined }), 'payer'],
    ['a payer that is a string', withEvent({ payer: 'buyer_42' }), 'payer'],
    ['a payer without id', withEvent({ payer: {} }), 'payer.id'],
    ['a missing paymentToken', withEvent({ paymentToken: undefined }), 'paymentToken', /required/],
    [
      'a paymentToken with forbidden characters',
      withEvent({ paymentToken: 'tok visa!' }),
      'paymentToken',
    ],
    [
      'a card number as paymentToken',
      withEvent({ paymentToken: '4242424242424242' }),
      'paymentToken',
      /card number/,
    ],
    [
      'a spaced card number as paymentToken',
      withEvent({ paymentToken: '4242 4242 4242 4242' }),
      'paymentToken',
      /card number/,
    ],
    [
      'a dashed card number as paymentToken',
      withEvent({ paymentToken: '4242-4242-4242-4242' }),
      'paymentToken',
      /card number/,
    ],
    ['a missing orders array', withEvent({ orders: undefined }), 'orders'],
    ['an empty orders array', withEvent({ orders: [] }), 'orders', /non-empty/],
    ['an order that is not an object', withEvent({ orders: ['ord_1'] }), 'orders[0]'],
    ['a missing orderId', withOrder({ orderId: undefined }), 'orders[0].orderId'],
    ['a sellerId with a space', withOrder({ sellerId: 'seller 7' }), 'orders[0].sellerId'],
    [
      'a sellerId with ":" (it would split an account name)',
      withOrder({ sellerId: 'seller:7' }),
      'orders[0].sellerId',
    ],
    ['a missing amount', withOrder({ amount: undefined }), 'orders[0].amount'],
    ['an amount as a JSON number', withOrder({ amount: 25 }), 'orders[0].amount', /JSON number/],
    [
      'a zero amount',
      withOrder({ amount: '0.00', platformFee: undefined }),
      'orders[0].amount',
      /greater than zero/,
    ],
    [
      'a negative amount',
      withOrder({ amount: '-25.00', platformFee: undefined }),
      'orders[0].amount',
      /greater than zero/,
    ],
    [
      'an amount with three decimals in USD',
      withOrder({ amount: '1.005', platformFee: undefined }),
      'orders[0].amount',
      /more decimals/,
    ],
    ['an amount with a thousands separator', withOrder({ amount: '1,000.00' }), 'orders[0].amount'],
    ['an amount in exponent notation', withOrder({ amount: '2.5e1' }), 'orders[0].amount'],
    [
      'an amount beyond 64 bits',
      withOrder({ amount: '92233720368547758.08' }),
      'orders[0].amount',
      /largest amount/,
    ],
    [
      'a huge amount',
      withOrder({ amount: '99999999999999999999999' }),
      'orders[0].amount',
      /largest amount/,
    ],
    [
      'a platformFee above the amount',
      withOrder({ amount: '25.00', platformFee: '25.01' }),
      'orders[0].platformFee',
      /more than the order amount/,
    ],
    [
      'a negative platformFee',
      withOrder({ platformFee: '-0.01' }),
      'orders[0].platformFee',
      /negative/,
    ],
    [
      'a platformFee as a JSON number',
      withOrder({ platformFee: 2.5 }),
      'orders[0].platformFee',
      /JSON number/,
    ],
    [
      'an occurredAt without a time zone',
      withEvent({ occurredAt: '2026-11-23T10:15:00' }),
      'occurredAt',
      /time zone/,
    ],
    ['an occurredAt that is not a date', withEvent({ occurredAt: '23/11/2026' }), 'occurredAt'],
    [
      'an occurredAt on a day that does not exist',
      withEvent({ occurredAt: '2026-02-30T10:15:00Z' }),
      'occurredAt',
    ],
    [
      'metadata that is a string',
      withOrder({ metadata: 'sku=A1' }),
      'orders[0].metadata',
      /object/,
    ],
    ['metadata that is an array', withOrder({ metadata: ['A1'] }), 'orders[0].metadata', /object/],
    ['metadata that is null', withOrder({ metadata: null }), 'orders[0].metadata', /object/],
    [
      'metadata over 2 KB',
      withOrder({ metadata: { note: 'x'.repeat(2100) } }),
      'orders[0].metadata',
      /2048 bytes/,
    ],
  ];

  it.each(cases)('rejects %s', (_name, value, field, reason) => {
    const rejection = rejectionOf(value);
    expect(rejection.field).toBe(field);
    if (reason) expect(rejection.reason).toMatch(reason);
    expect(rejection.message).toBe(`${field}: ${rejection.reason}`);
    // The reason never repeats the field name in front of itself.
    expect(rejection.reason.startsWith(`${field}:`)).toBe(false);
  });

  it('rejects an amount with a decimal in JPY, which has no minor unit', () => {
    const rejection = rejectionOf(
      withEvent({ currency: 'JPY', orders: [{ orderId: 'o1', sellerId: 's1', amount: '1.5' }] }),
    );
    expect(rejection.field).toBe('orders[0].amount');
    expect(rejection.reason).toMatch(/more decimals than JPY allows \(0\)/);
  });

  describe('refund', () => {
    const refund = (patch: Record<string, unknown> = {}) => ({
      eventId: 'rf_0001',
      type: 'refund',
      occurredAt: '2026-11-26T12:00:00Z',
      orderId: 'ord_0002',
      amount: '4.00',
      reason: 'damaged',
      ...patch,
    });

    it('parses the DESIGN.md example, keeping the amount as written until the order gives its currency', () => {
      expect(validateAnyEvent(refund())).toMatchObject({
        type: 'refund',
        eventId: 'rf_0001',
        orderId: 'ord_0002',
        amount: '4.00',
        reason: 'damaged',
      });
    });

    it.each([
      [{ amount: 4 }, 'amount', /not JSON numbers/],
      [{ amount: '0.00' }, 'amount', /greater than zero/],
      [{ amount: '-1.00' }, 'amount', /positive decimal string/],
      [{ amount: '1e3' }, 'amount', /positive decimal string/],
      [{ reason: 5 }, 'reason', /printable characters/],
      [{ refundTo: 'card' }, 'refundTo', /unknown field/],
      [{ reasn: 'late' }, 'reasn', /unknown field \(did you mean "reason"\?\)/],
    ])('refuses %j at %s', (patch, field, reason) => {
      const rejection = rejectionOf(refund(patch));
      expect(rejection.field).toBe(field);
      expect(rejection.reason).toMatch(reason);
    });
  });

  describe('pay_out', () => {
    const payOut = (seller: Record<string, unknown> = {}) => ({
      eventId: 'po_0001',
      type: 'pay_out',
      occurredAt: '2026-11-25T09:00:00Z',
      orderId: 'ord_0001',
      seller: {
        id: 'seller_7',
        name: 'Acme Ltd',
        account: { iban: 'DE89 3704 0044 0532 0130 00' },
        ...seller,
      },
    });

    it('parses the DESIGN.md example, normalizing the IBAN', () => {
      expect(validateAnyEvent(payOut())).toMatchObject({
        type: 'pay_out',
        eventId: 'po_0001',
        orderId: 'ord_0001',
        occurredAt: '2026-11-25T09:00:00.000Z',
        seller: { id: 'seller_7', name: 'Acme Ltd', iban: 'DE89370400440532013000' },
      });
    });

    it.each([
      [{ account: { iban: 'DE88370400440532013000' } }, 'seller.account.iban', /not a valid IBAN/],
      [{ account: { number: '12345678' } }, 'seller.account.number', /payops pays out to an IBAN/],
      [{ name: '  ' }, 'seller.name', /required/],
      [{ id: 'seller 7' }, 'seller.id', /letters, digits/],
    ])('refuses seller %j at %s', (seller, field, reason) => {
      const rejection = rejectionOf(payOut(seller));
      expect(rejection.field).toBe(field);
      expect(rejection.reason).toMatch(reason);
    });

    it('checks IBANs with the ISO 13616 checksum and masks all but the last four characters', () => {
      expect(normalizeIban('gb82 west 1234 5698 7654 32')).toBe('GB82WEST12345698765432');
      expect(normalizeIban('GB82WEST12345698765433')).toBeUndefined();
      expect(maskIban('DE89370400440532013000')).toBe('DE•• •••• 3000');
    });
  });

  it('rejects a duplicate orderId within the event at the second occurrence', () => {
    const event = withEvent({
      orders: [
        { orderId: 'ord_1', sellerId: 's1', amount: '1.00' },
        { orderId: 'ord_1', sellerId: 's2', amount: '2.00' },
      ],
    });
    const rejection = rejectionOf(event);
    expect(rejection.field).toBe('orders[1].orderId');
    expect(rejection.reason).toMatch(/appears twice/);
  });

  it('accepts 100 orders and rejects 101', () => {
    const orders = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        orderId: `ord_${i}`,
        sellerId: 's1',
        amount: '1.00',
      }));
    expect(validateEvent(withEvent({ orders: orders(100) })).orders).toHaveLength(100);
    const rejection = rejectionOf(withEvent({ orders: orders(101) }));
    expect(rejection.field).toBe('orders');
    expect(rejection.reason).toMatch(/at most 100/);
  });

  it('names the field of the first bad order, not the first order', () => {
    const event = withEvent({
      orders: [
        { orderId: 'ord_1', sellerId: 's1', amount: '1.00' },
        { orderId: 'ord_2', sellerId: 's2', amount: '1.001' },
      ],
    });
    expect(rejectionOf(event).field).toBe('orders[1].amount');
  });

  it('carries the eventId on every rejection once the eventId was readable', () => {
    expect(rejectionOf(withEvent({ currency: 'usd' })).eventId).toBe('chk_0001');
    expect(rejectionOf(withOrder({ amount: '1.005' })).eventId).toBe('chk_0001');
    expect(rejectionOf(withEvent({ payer: {} })).eventId).toBe('chk_0001');
    expect(rejectionOf(withEvent({ occurredAt: 'yesterday' })).eventId).toBe('chk_0001');
    expect(rejectionOf(withEvent({ eventId: undefined })).eventId).toBeUndefined();
  });

  it('never echoes a card number given as paymentToken in the rejection', () => {
    const rejection = rejectionOf(withEvent({ paymentToken: '4242424242424242' }));
    expect(rejection.message).not.toContain('4242424242424242');
  });
});

describe('contentHash and canonicalJson', () => {
  it('gives the same contentHash for the same content with keys in another order', () => {
    const a = example();
    const b = {
      orders: [
        {
          metadata: { sku: 'A1' },
          platformFee: '2.50',
          amount: '25.00',
          sellerId: 'seller_7',
          orderId: 'ord_0001',
        },
        { amount: '10.00', sellerId: 'seller_9', orderId: 'ord_0002' },
      ],
      paymentToken: 'tok_visa',
      payer: { id: 'buyer_42' },
      currency: 'USD',
      occurredAt: '2026-11-23T10:15:00Z',
      type: 'pay_in',
      eventId: 'chk_0001',
    };
    expect(validateEvent(b).contentHash).toBe(validateEvent(a).contentHash);
  });

  it('gives another contentHash when any amount or fee changes', () => {
    const base = validateEvent(example()).contentHash;
    const changed = (mutate: (orders: Record<string, unknown>[]) => void) => {
      const event = example();
      mutate(event.orders as Record<string, unknown>[]);
      return validateEvent(event).contentHash;
    };
    const hashes = [
      changed((orders) => ((orders[0] as Record<string, unknown>).amount = '25.01')),
      changed((orders) => ((orders[1] as Record<string, unknown>).amount = '10.01')),
      changed((orders) => ((orders[0] as Record<string, unknown>).platformFee = '2.51')),
      changed((orders) => ((orders[1] as Record<string, unknown>).platformFee = '0.00')),
    ];
    for (const hash of hashes) expect(hash).not.toBe(base);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('writes exactly the text of the plain JSON.stringify formulation, for any JSON value', () => {
    // The formulation every stored content hash was made with: it must never change.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (typeof value === 'object' && value !== null) {
        const object = value as Record<string, unknown>;
        return `{${Object.keys(object)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${reference(object[key])}`)
          .join(',')}}`;
      }
      return JSON.stringify(value) ?? 'null';
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
        (value) => {
          expect(canonicalJson(value)).toBe(reference(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson([{ b: 1, a: 2 }, 'q'])).toBe('[{"a":2,"b":1},"q"]');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('is the same text for an object and its key-shuffled copy', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffle = (input: unknown): unknown => {
          if (Array.isArray(input)) return input.map(shuffle);
          if (typeof input === 'object' && input !== null) {
            return Object.fromEntries(
              Object.entries(input)
                .reverse()
                .map(([k, v]) => [k, shuffle(v)]),
            );
          }
          return input;
        };
        expect(canonicalJson(shuffle(value))).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('validateEvent: amounts round-trip exactly (property)', () => {
  const EXPONENTS = { USD: 2, JPY: 0, KWD: 3 } as const;
  const MAX = MAX_ORDER_AMOUNT_MINOR;

  /** Minor units as a decimal string in major units; optionally without trailing fraction zeros. */
  function format(minor: bigint, exponent: number, trimZeros: boolean): string {
    if (exponent === 0) return minor.toString();
    const digits = minor.toString().padStart(exponent + 1, '0');
    const whole = digits.slice(0, -exponent);
    let fraction = digits.slice(-exponent);
    if (trimZeros) fraction = fraction.replace(/0+$/, '');
    return fraction === '' ? whole : `${whole}.${fraction}`;
  }

  const amount = fc.oneof(
    fc.bigInt({ min: 1n, max: 1_000_000n }),
    fc.bigInt({ min: 1n, max: MAX }),
  );
  const order = amount.chain((amountMinor) =>
    fc.record({
      amountMinor: fc.constant(amountMinor),
      feeMinor: fc.option(fc.bigInt({ min: 0n, max: amountMinor }), { nil: undefined }),
      sellerId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
      trimZeros: fc.boolean(),
    }),
  );

  it('parses every generated amount and fee back to the same minor units', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('USD', 'JPY', 'KWD' as const),
        fc.array(order, { minLength: 1, maxLength: 8 }),
        (currency, orders) => {
          const exponent = EXPONENTS[currency as keyof typeof EXPONENTS];
          // A Luhn-valid run of 13+ digits is refused as a card number wherever it is (issue 14 item 11).
          fc.pre(
            !orders.some((o) =>
              containsCardNumber(
                `${o.sellerId} ${format(o.amountMinor, exponent, o.trimZeros)} ${o.feeMinor === undefined ? '' : format(o.feeMinor, exponent, o.trimZeros)}`,
              ),
            ),
          );
          const event = validateEvent({
            eventId: 'chk_prop',
            type: 'pay_in',
            occurredAt: '2026-11-23T10:15:00Z',
            currency,
            payer: { id: 'buyer_1' },
            paymentToken: 'tok_visa',
            orders: orders.map((o, i) => ({
              orderId: `ord_${i}`,
              sellerId: o.sellerId,
              amount: format(o.amountMinor, exponent, o.trimZeros),
              ...(o.feeMinor === undefined
                ? {}
                : { platformFee: format(o.feeMinor, exponent, o.trimZeros) }),
            })),
          });
          expect(event.orders.map((o) => [o.amountMinor, o.platformFeeMinor])).toEqual(
            orders.map((o) => [o.amountMinor, o.feeMinor ?? 0n]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('validateEvent: what must never reach the database', () => {
  it('refuses metadata nested too deep before serializing it (a deep value once overflowed the stack)', () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(rejectionOf(withOrder({ metadata: { x: deep } }))).toMatchObject({
      field: 'orders[0].metadata',
      reason: 'nested deeper than 8 levels',
    });
    let eight: unknown = 'ok';
    for (let level = 0; level < 7; level++) eight = { x: eight };
    expect(
      validateEvent(withOrder({ metadata: eight as Record<string, unknown> })).orders[0]?.metadata,
    ).toContain('"ok"');
  });

  it('refuses control characters and unpaired surrogates in metadata text, keys included', () => {
    for (const metadata of [
      { note: '\u001b[2Jcleared' },
      { note: ['a', 'tab\there'] },
      { 'k\u0000': 'v' },
      { note: 'half \ud800' },
    ]) {
      expect(rejectionOf(withOrder({ metadata })).field).toBe('orders[0].metadata');
    }
    expect(
      validateEvent(withOrder({ metadata: { note: '=HYPERLINK("http://x")', emoji: '💶' } }))
        .orders[0]?.metadata,
    ).toContain('HYPERLINK');
  });

  it('refuses an unpaired surrogate in a seller name or a refund reason: it would be stored as U+FFFD', () => {
    const payOut = {
      eventId: 'po_1',
      type: 'pay_out',
      occurredAt: '2026-11-25T09:00:00Z',
      orderId: 'ord_0001',
      seller: { id: 'seller_7', name: 'Acme \udc00', account: { iban: 'DE89370400440532013000' } },
    };
    expect(() => validateAnyEvent(payOut)).toThrow(/seller\.name/);
    const refund = {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-26T12:00:00Z',
      orderId: 'ord_0001',
      amount: '1.00',
      reason: 'x \ud800',
    };
    expect(() => validateAnyEvent(refund)).toThrow(/reason/);
  });

  it('refuses an order above 10^15 minor units, which 64-bit balances could not sum safely', () => {
    expect(
      validateEvent(withOrder({ amount: '10000000000000.00', platformFee: undefined })).orders[0]
        ?.amountMinor,
    ).toBe(10n ** 15n);
    expect(
      rejectionOf(withOrder({ amount: '10000000000000.01', platformFee: undefined })),
    ).toMatchObject({
      field: 'orders[0].amount',
      reason: '"10000000000000.01" is more than one order may be (10000000000000.00 USD)',
    });
    expect(
      rejectionOf(
        withEvent({
          currency: 'JPY',
          orders: [{ orderId: 'o', sellerId: 's', amount: '1000000000000001' }],
        }),
      ).field,
    ).toBe('orders[0].amount');
  });
});

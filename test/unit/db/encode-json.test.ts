import { encodeJson } from '../../../src/db/client';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('encodeJson', () => {
  const sparse: unknown[] = [1];
  sparse[3] = 'fire';
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { navn: 'Åse', n: 1 });
  const cases: Array<[string, unknown]> = [
    [
      'a batch of rows with Norwegian letters, emoji, quotes and line breaks',
      {
        attempts: [
          { id: 1, cmi: { core: { student_name: 'Ødegård, Åse' }, suspend_data: 'a=«1»;\n"x"\t🙂' } },
          { id: 2, cmi: {} },
        ],
        logs: [],
        n: null,
      },
    ],
    [
      'a list of rows',
      [
        { id: 1, navn: 'Bjørnæs – «leder»' },
        { id: 2, navn: null },
      ],
    ],
    [
      'undefined, functions and symbols in objects and lists',
      {
        a: undefined,
        b: () => 1,
        c: Symbol('s'),
        list: [undefined, () => 1, Symbol('t'), 0],
        d: 'd',
      },
    ],
    ['a sparse list, NaN, infinity and minus zero', { sparse, numbers: [Number.NaN, Infinity, -0, 1e21] }],
    [
      'dates and objects with toJSON, at every level',
      {
        at: new Date('2026-11-24T18:00:00Z'),
        list: [new Date('2026-01-01T00:00:00Z'), { toJSON: () => 'egen' }],
        own: { toJSON: () => ({ erstattet: true }) },
      },
    ],
    ['a top-level object with toJSON', { toJSON: () => [1, 2] }],
    [
      'a null-prototype object, a class instance and a Map',
      { nullProto, point: new Point(1, 2), map: new Map([[1, 2]]) },
    ],
    ['lone surrogates and control characters', { s: '\ud800x\udc00 \u0000\u001f\u2028' }],
    ['nested lists', [[1, [2, [3]]], [], [[]]]],
    ['plain values', 'bare tekst æøå'],
    ['a number', 42],
    ['null', null],
    ['an empty object', {}],
  ];

  it.each(cases)(
    'when the value is %s, then the bytes are exactly JSON.stringify’s text in UTF-8',
    (_name, value) => {
      const expected = new TextEncoder().encode(JSON.stringify(value));
      expect(Buffer.from(encodeJson(value)).equals(Buffer.from(expected))).toBe(true);
      expect(JSON.parse(text(encodeJson(value)))).toEqual(JSON.parse(JSON.stringify(value)));
    },
  );

  it('when room is asked for in front, then the text starts after it and the room is zero', () => {
    const bytes = encodeJson({ rader: [{ navn: 'Åse' }] }, 1);
    expect(bytes[0]).toBe(0);
    expect(text(bytes.subarray(1))).toBe('{"rader":[{"navn":"Åse"}]}');
  });

  it('when the value has no JSON text (undefined, a function), then it is refused instead of sent as nothing', () => {
    expect(() => encodeJson(undefined)).toThrow(TypeError);
    expect(() => encodeJson(() => 1)).toThrow(TypeError);
  });
});

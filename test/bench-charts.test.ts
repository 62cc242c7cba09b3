import { isDeepStrictEqual } from 'node:util';
import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { literalsFrom, ours, plainSame, plainThin, sameContent } from '../scripts/bench-charts';

// `npm run bench` compares our per-object cost with the same objects written by hand. These tests
// keep the baselines honest between benchmark runs: when the library's output changes, update the
// hand-written chart in scripts/bench-charts.ts to emit it too.
const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe('the benchmark baselines', () => {
  const n = 3;
  const objects = ours(n).charts[0].toJson();
  const expected = parse(Yaml.stringify(...objects));

  test('the hand-written cdk8s-plus-27 chart emits exactly our objects, in our order', () => {
    const yaml = plainSame(n, literalsFrom(objects, n)).synthYaml();
    const actual = parse(yaml);
    expect(actual.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expected.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(actual).toEqual(expected);
  });

  test('the literal chart emits exactly our objects', () => {
    expect(isDeepStrictEqual(parse(sameContent(objects).synthYaml()), expected)).toBe(true);
  });

  test('the thin chart emits the same kinds, in objects several times smaller', () => {
    const thin = parse(plainThin(n).synthYaml());
    expect(new Set(thin.map((o) => o.kind))).toEqual(new Set(expected.map((o) => o.kind)));
    expect(JSON.stringify(expected).length / JSON.stringify(thin).length).toBeGreaterThan(5);
  });
});

/**
 * The written decisions and the one-time notice (domain/written-decision.ts), and the grounds not to accept an
 * application (domain/non-acceptance.ts): every refusal names its reasons, legal basis and both remedies; every ground
 * fires on its own boundary and not beside it.
 */
import { nonAcceptanceGrounds, provinceOf } from '../../domain/non-acceptance';
import { articleZh, composeSupplementNotice, composeWrittenDecision } from '../../domain/written-decision';

const JURISDICTION = { name: '济宁市', cities: ['济宁市', '任城区', '兖州区', '曲阜市', '邹城市'] };
const oversize = (over: { divisible?: boolean; originCity?: string } = {}) => ({
  cargo: { name: '变压器', divisible: over.divisible ?? false },
  route: { originCity: over.originCity ?? '济宁市任城区', destinationCity: '济宁市兖州区' },
});
const BULKY = ['道路普通货物运输', '大型物件运输'];

describe('nonAcceptanceGrounds', () => {
  it('accepts an indivisible load by a bulky-cargo carrier starting in the city', () => {
    expect(nonAcceptanceGrounds('OVERSIZE', oversize(), { carrierScope: BULKY, jurisdiction: JURISDICTION })).toEqual([]);
  });

  it.each([
    ['divisible cargo', oversize({ divisible: true }), BULKY, ['G1'], /2016年第62号.*art\. 6/],
    ['a carrier without bulky-cargo scope', oversize(), ['道路普通货物运输'], ['C2'], /道路货物运输及站场管理规定/],
    ['an origin in another province', oversize({ originCity: '河南省郑州市' }), BULKY, ['R1'], /art\. 32 para\. 1 item 2/],
    ['all three at once', oversize({ divisible: true, originCity: '泰安市' }), [], ['G1', 'C2', 'R1'], /art\. 8/],
  ])('does not accept %s', (_what, form, scope, codes, basis) => {
    const grounds = nonAcceptanceGrounds('OVERSIZE', form, { carrierScope: scope, jurisdiction: JURISDICTION });
    expect(grounds.map((g) => g.code)).toEqual(codes);
    expect(JSON.stringify(grounds.flatMap((g) => g.legalBasis))).toMatch(basis);
    for (const g of grounds) expect(g.reason.length).toBeGreaterThan(10);
  });

  it('names the origin province\'s highway authority for a trip starting elsewhere', () => {
    const [henan] = nonAcceptanceGrounds('OVERSIZE', oversize({ originCity: '河南省郑州市' }), { carrierScope: BULKY, jurisdiction: JURISDICTION });
    expect(henan!.competentAuthority).toBe('河南省公路管理机构');
    const [taian] = nonAcceptanceGrounds('OVERSIZE', oversize({ originCity: '泰安市岱岳区' }), { carrierScope: BULKY, jurisdiction: JURISDICTION });
    expect(taian!.competentAuthority).toBe('山东省公路管理机构');
    const [unknown] = nonAcceptanceGrounds('OVERSIZE', oversize({ originCity: '某地' }), { carrierScope: BULKY, jurisdiction: JURISDICTION });
    expect(unknown!.competentAuthority).toBe('起运地（某地）所在省公路管理机构');
    expect(provinceOf('内蒙古呼和浩特市')).toBe('内蒙古自治区');
  });

  it('leaves an unknown scope (no permit on record) and other services to the review', () => {
    expect(nonAcceptanceGrounds('OVERSIZE', oversize(), { carrierScope: null, jurisdiction: JURISDICTION })).toEqual([]);
    expect(nonAcceptanceGrounds('SCHOOLBUS', oversize({ divisible: true }), { carrierScope: [], jurisdiction: JURISDICTION })).toEqual([]);
  });
});

describe('composeWrittenDecision', () => {
  const facts = {
    caseNo: 'JN-OVERSIZE-20261126-000007',
    service: { code: 'OVERSIZE', name: { zh: '大件运输一件事', en: 'Oversize' } },
    authority: { zh: '交通运输局', en: 'Transport Bureau' },
    date: '2026-11-26',
    reasons: ['申报货物为可分载物品。'],
    legalBasis: [{ document: '超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）', article: 'art. 6' }],
    reconsiderationBody: '济宁市人民政府',
  };

  it('gives a 不予受理 decision its number, authority, date, reasons, basis and both remedies, as fields and as text', () => {
    const d = composeWrittenDecision({ ...facts, kind: 'not_accepted', competentAuthority: '河南省公路管理机构' });
    expect(d).toMatchObject({ kind: 'not_accepted', decisionNo: 'JN-OVERSIZE-20261126-000007-D', title: '不予受理行政许可申请决定书', competentAuthority: '河南省公路管理机构' });
    expect(d.remedies).toEqual([
      expect.objectContaining({ kind: 'administrative_reconsideration', withinDays: 60, body: '济宁市人民政府', legalBasis: expect.objectContaining({ article: 'art. 20 para. 1' }) }),
      expect.objectContaining({ kind: 'administrative_litigation', withinMonths: 6, legalBasis: expect.objectContaining({ document: '中华人民共和国行政诉讼法', article: 'art. 46 para. 1' }) }),
    ]);
    expect(d.text).toContain('决定不予受理');
    expect(d.text).toContain('1. 申报货物为可分载物品。');
    expect(d.text).toContain('《超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）》第6条');
    expect(d.text).toContain('60日内向济宁市人民政府申请行政复议');
    expect(d.text).toContain('6个月内向有管辖权的人民法院提起行政诉讼');
    expect(d.text).toContain('请向河南省公路管理机构提出申请');
    expect(d.text).toMatch(/交通运输局\n2026年11月26日$/);
  });

  it('gives a 不予许可 decision its own title and wording', () => {
    const d = composeWrittenDecision({ ...facts, kind: 'refused' });
    expect(d.title).toBe('不予行政许可决定书');
    expect(d.text).toContain('决定不予行政许可');
    expect(d.text).not.toContain('提出申请。');
    expect(d.competentAuthority).toBeNull();
  });

  it.each([
    ['art. 32 para. 1 item 2', '第32条第1款第2项'],
    ['art. 46', '第46条'],
    ['art. 20 para. 1', '第20条第1款'],
    ['[article not confirmed]', '[article not confirmed]'],
  ])('writes %s as %s', (a, zh) => expect(articleZh(a)).toBe(zh));
});

describe('composeSupplementNotice', () => {
  it('lists every item of every department once, grouped by department, numbered through', () => {
    const n = composeSupplementNotice({
      caseNo: 'JN-SCHOOLBUS-20261126-000042',
      service: { code: 'SCHOOLBUS', name: { zh: '校车使用许可一件事', en: 'School bus' } },
      date: '2026-11-27',
      round: 2,
      items: [
        { material: 'insurance', materialName: { zh: '保险凭证', en: 'Insurance' }, department: 'public_security', departmentName: { zh: '公安局交警支队', en: 'Police' }, reason: '已过期' },
        { material: 'route-plan', materialName: { zh: '线路方案', en: 'Route plan' }, department: 'transport', departmentName: { zh: '交通运输局', en: 'Transport' }, reason: '缺站点' },
        { material: 'driver-licence', materialName: null, department: 'public_security', departmentName: { zh: '公安局交警支队', en: 'Police' }, reason: '不清晰' },
      ],
    });
    expect(n.noticeNo).toBe('JN-SCHOOLBUS-20261126-000042-S2');
    expect(n.itemCount).toBe(3);
    expect(n.departments.map((d) => [d.department, d.items.map((i) => i.material)])).toEqual([
      ['public_security', ['insurance', 'driver-licence']],
      ['transport', ['route-plan']],
    ]);
    expect(n.text).toContain('一次告知');
    expect(n.text).toContain('1. 保险凭证：已过期');
    expect(n.text).toContain('2. driver-licence：不清晰');
    expect(n.text).toContain('3. 线路方案：缺站点');
  });
});

/**
 * Grounds not to accept an application at all (不予受理), decided at intake from the form and reference data, before
 * any review starts. 行政许可法 art. 32 para. 1 lets the authority refuse to accept only on a few grounds, and art. 32
 * para. 2 requires the refusal as a written, dated decision: the intake records the application as `not_accepted` and
 * answers with that decision (domain/written-decision.ts).
 *
 * OVERSIZE only, for now: divisible cargo may not be carried over the limits at all (62号令 art. 6), a carrier whose
 * operating scope lacks bulky cargo cannot hold the permit (the pre-review's C2), and a trip starting outside the city
 * is another authority's to accept (62号令 art. 8, with 行政许可法 art. 32 para. 1 item 2: tell the applicant which
 * authority). The citations are those of the pre-review checks G1, C2 and R1 (domain/oversize/checks.ts), so a
 * reviewer and the applicant read the same basis.
 *
 * Pure: the caller reads the reference data (the company's operating scope, the city's jurisdiction) and passes it in.
 */
import { OVERSIZE_CHECKS, scopeCoversBulkyCargo } from './oversize';
import type { LegalCitation } from './types';

export interface NonAcceptanceReference {
  /**
   * The carrier's operating scope on record: `null` when the government has no operating permit for it (the scope is
   * then unknown, and a reviewer, not the intake, decides: C2 asks for review).
   */
  carrierScope: readonly string[] | null;
  /** The city's jurisdiction: its name and the places in it (activities/checks.ts JURISDICTION). */
  jurisdiction: { name: string; cities: readonly string[] };
}

export interface NonAcceptanceGround {
  /** The check whose rule this is (G1, C2, R1), for cross-reference with the pre-review report. */
  code: string;
  /** In Chinese, as the written decision says it. */
  reason: string;
  legalBasis: LegalCitation[];
  /** For a ground of competence: the authority the applicant must apply to instead. */
  competentAuthority?: string;
}

const S62 = '超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）';
const AL = '中华人民共和国行政许可法';

/** The pre-review check's own source text, so the decision cites what the check cites. */
function checkSource(id: string): string {
  return OVERSIZE_CHECKS.find((c) => c.id === id)?.source ?? '';
}

/** The provincial-level units, to name the province a trip starts in when the place name says it. */
const PROVINCES = [
  '北京市', '天津市', '上海市', '重庆市', '河北省', '山西省', '辽宁省', '吉林省', '黑龙江省', '江苏省', '浙江省', '安徽省', '福建省', '江西省',
  '山东省', '河南省', '湖北省', '湖南省', '广东省', '海南省', '四川省', '贵州省', '云南省', '陕西省', '甘肃省', '青海省', '台湾省',
  '内蒙古自治区', '广西壮族自治区', '西藏自治区', '宁夏回族自治区', '新疆维吾尔自治区', '香港特别行政区', '澳门特别行政区',
];
/** Shandong's cities (设区的市): a trip from one of them is accepted by Shandong's provincial authority (art. 8). */
const SHANDONG_CITIES = ['济南', '青岛', '淄博', '枣庄', '东营', '烟台', '潍坊', '济宁', '泰安', '威海', '日照', '临沂', '德州', '聊城', '滨州', '菏泽'];

/** The province of a place name, when it can be told from the name; `undefined` otherwise. */
export function provinceOf(place: string): string | undefined {
  const named = PROVINCES.find((p) => place.startsWith(p) || place.startsWith(p.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, '')));
  if (named) return named;
  return SHANDONG_CITIES.some((c) => place.startsWith(c)) ? '山东省' : undefined;
}

/** '济宁市任城区' is within a jurisdiction listing '济宁市' (an entry is a prefix of the place name), as R1 reads it. */
function inJurisdiction(place: string, cities: readonly string[]): boolean {
  return cities.some((c) => place.startsWith(c));
}

interface OversizeFormPart {
  cargo?: { divisible?: unknown; name?: unknown };
  route?: { originCity?: unknown };
}

/** Every ground not to accept this application; empty when it is to be accepted and reviewed. */
export function nonAcceptanceGrounds(serviceCode: string, form: Record<string, unknown>, reference: NonAcceptanceReference): NonAcceptanceGround[] {
  if (serviceCode !== 'OVERSIZE') return [];
  const f = form as OversizeFormPart;
  const grounds: NonAcceptanceGround[] = [];

  if (f.cargo?.divisible === true) {
    grounds.push({
      code: 'G1',
      reason: '申报货物为可分载物品（可解体物品），应当分装后以不超限的方式运输，不属于可以申请超限运输许可的不可解体物品。',
      legalBasis: [{ document: S62, article: 'art. 6', note: checkSource('G1') }],
    });
  }

  if (reference.carrierScope !== null && !scopeCoversBulkyCargo(reference.carrierScope)) {
    grounds.push({
      code: 'C2',
      reason: '承运人道路运输经营许可的经营范围不包含大型物件运输，不具备申请大件运输许可的主体资格。',
      // The article is not confirmed against the published text (C2 says so): the citation names the rules, not a number.
      legalBasis: [
        { document: '道路货物运输及站场管理规定', article: '大型物件运输经营范围 [article not confirmed]', note: checkSource('C2') },
        { document: `${S62}，交通运输部令2021年第12号修正`, article: '[article not confirmed]' },
      ],
    });
  }

  const origin = typeof f.route?.originCity === 'string' ? f.route.originCity : '';
  if (origin && !inJurisdiction(origin, reference.jurisdiction.cities)) {
    const province = provinceOf(origin);
    const authority = `${province ?? `起运地（${origin}）所在省`}公路管理机构`;
    grounds.push({
      code: 'R1',
      reason: `起运地（${origin}）不在${reference.jurisdiction.name}管辖范围内：跨省或者省内跨设区的市的超限运输，由起运地省级公路管理机构统一受理。请向${authority}提出申请。`,
      legalBasis: [
        { document: S62, article: 'art. 8', note: checkSource('R1') },
        { document: AL, article: 'art. 32 para. 1 item 2', note: '申请事项依法不属于本行政机关职权范围的，应当即时作出不予受理的决定，并告知申请人向有关行政机关申请。' },
      ],
      competentAuthority: authority,
    });
  }
  return grounds;
}

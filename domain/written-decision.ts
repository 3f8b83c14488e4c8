/**
 * Written decisions (书面决定) and the one-time notice (一次告知), composed from what the records say. Pure: no clock,
 * no database; the routes read the case and pass the facts in.
 *
 * - 不予受理 (not accepted at intake) and 不予许可 (refused after review) are both written decisions: 行政许可法 art. 32
 *   para. 2 (a dated written decision on not accepting) and art. 38 para. 2 (a refusal gives its reasons and tells the
 *   applicant of the right to reconsideration or to sue). Each names the authority, the date, the reasons, the legal
 *   basis and the remedies: 行政复议 within 60 days (行政复议法 art. 20, as revised in 2023) and 行政诉讼 within 6
 *   months (行政诉讼法 art. 46), from the day the applicant knew or should have known of the decision.
 * - The one-time notice (行政许可法 art. 32 para. 1 item 4: 一次告知申请人需要补正的全部内容) lists every item every
 *   department asked for in one supplement request.
 *
 * Each document is given as structured fields and as one Chinese text, for display and printing.
 */
import type { Bilingual, Department, LegalCitation } from './types';

export type DecisionKind = 'not_accepted' | 'refused';

export interface Remedy {
  kind: 'administrative_reconsideration' | 'administrative_litigation';
  name: string;
  /** Where to apply. */
  body: string;
  withinDays: number | null;
  withinMonths: number | null;
  /** From when the period runs. */
  from: string;
  legalBasis: LegalCitation;
}

export interface WrittenDecision {
  kind: DecisionKind;
  title: string;
  decisionNo: string;
  caseNo: string;
  service: { code: string; name: Bilingual | null };
  authority: Bilingual;
  /** The decision's date, YYYY-MM-DD (Shanghai). */
  date: string;
  reasons: string[];
  legalBasis: LegalCitation[];
  /** 不予受理 for want of competence: the authority to apply to. */
  competentAuthority: string | null;
  remedies: Remedy[];
  text: string;
}

export interface DecisionFacts {
  kind: DecisionKind;
  caseNo: string;
  service: { code: string; name: Bilingual | null };
  authority: Bilingual;
  date: string;
  reasons: string[];
  legalBasis: LegalCitation[];
  competentAuthority?: string | null;
  /** The people's government at the authority's level (行政复议法 2023 art. 24), e.g. 济宁市人民政府. */
  reconsiderationBody: string;
}

const TITLES: Record<DecisionKind, string> = { not_accepted: '不予受理行政许可申请决定书', refused: '不予行政许可决定书' };
const KNOWN_FROM = '自知道或者应当知道该行政行为之日起';

export function remedies(reconsiderationBody: string): Remedy[] {
  return [
    {
      kind: 'administrative_reconsideration',
      name: '行政复议',
      body: reconsiderationBody,
      withinDays: 60,
      withinMonths: null,
      from: KNOWN_FROM,
      legalBasis: { document: '中华人民共和国行政复议法（2023年修订）', article: 'art. 20 para. 1' },
    },
    {
      kind: 'administrative_litigation',
      name: '行政诉讼',
      body: '有管辖权的人民法院',
      withinDays: null,
      withinMonths: 6,
      from: KNOWN_FROM,
      legalBasis: { document: '中华人民共和国行政诉讼法', article: 'art. 46 para. 1' },
    },
  ];
}

/** 'art. 32 para. 1 item 2' -> '第32条第1款第2项'; anything else is kept as written. */
export function articleZh(article: string): string {
  const m = /^art\. (\d+)(?: para\. (\d+))?(?: item (\d+))?$/.exec(article.trim());
  if (!m) return article;
  return `第${m[1]}条${m[2] ? `第${m[2]}款` : ''}${m[3] ? `第${m[3]}项` : ''}`;
}

export function citationZh(c: LegalCitation): string {
  return `《${c.document.replace(/^《|》$/g, '')}》${articleZh(c.article)}`;
}

function dateZh(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

export function composeWrittenDecision(f: DecisionFacts): WrittenDecision {
  const decisionNo = `${f.caseNo}-D`;
  const rs = remedies(f.reconsiderationBody);
  const serviceName = f.service.name?.zh ?? f.service.code;
  const verdict =
    f.kind === 'not_accepted'
      ? `经审查，你（单位）于${dateZh(f.date)}提交的“${serviceName}”申请（案件编号 ${f.caseNo}）存在依法不予受理的情形，本机关决定不予受理。`
      : `经审查，你（单位）提交的“${serviceName}”申请（案件编号 ${f.caseNo}）不符合法定条件、标准，本机关决定不予行政许可。`;
  const lines = [
    TITLES[f.kind],
    `编号：${decisionNo}`,
    '',
    verdict,
    '理由：',
    ...f.reasons.map((r, i) => `${i + 1}. ${r}`),
    `依据：${f.legalBasis.map(citationZh).join('；')}。`,
    ...(f.competentAuthority ? [`请向${f.competentAuthority}提出申请。`] : []),
    `如不服本决定，可以${KNOWN_FROM}60日内向${rs[0]!.body}申请行政复议（${citationZh(rs[0]!.legalBasis)}），` +
      `或者${KNOWN_FROM}6个月内向${rs[1]!.body}提起行政诉讼（${citationZh(rs[1]!.legalBasis)}）。`,
    '',
    f.authority.zh,
    dateZh(f.date),
  ];
  return {
    kind: f.kind,
    title: TITLES[f.kind],
    decisionNo,
    caseNo: f.caseNo,
    service: f.service,
    authority: f.authority,
    date: f.date,
    reasons: f.reasons,
    legalBasis: f.legalBasis,
    competentAuthority: f.competentAuthority ?? null,
    remedies: rs,
    text: lines.join('\n'),
  };
}

// ---- The one-time notice ----

export interface NoticeItem {
  material: string;
  materialName: Bilingual | null;
  department: Department | null;
  departmentName: Bilingual | null;
  reason: string;
}

export interface SupplementNotice {
  noticeNo: string;
  caseNo: string;
  service: { code: string; name: Bilingual | null };
  /** The date of the request, YYYY-MM-DD (Shanghai). */
  date: string;
  /** Which request of the case this is (1 for the first). */
  round: number;
  /** Every item, grouped by the department that asked for it, in the order they asked. */
  departments: { department: Department | null; departmentName: Bilingual | null; items: { material: string; materialName: Bilingual | null; reason: string }[] }[];
  itemCount: number;
  text: string;
}

export interface NoticeFacts {
  caseNo: string;
  service: { code: string; name: Bilingual | null };
  date: string;
  round: number;
  items: NoticeItem[];
}

export function composeSupplementNotice(f: NoticeFacts): SupplementNotice {
  const groups: SupplementNotice['departments'] = [];
  for (const it of f.items) {
    let g = groups.find((x) => x.department === it.department);
    if (!g) groups.push((g = { department: it.department, departmentName: it.departmentName, items: [] }));
    g.items.push({ material: it.material, materialName: it.materialName, reason: it.reason });
  }
  const serviceName = f.service.name?.zh ?? f.service.code;
  let n = 0;
  const lines = [
    '补正材料一次性告知书',
    `编号：${f.caseNo}-S${f.round}`,
    '',
    `你（单位）提交的“${serviceName}”申请（案件编号 ${f.caseNo}）材料不齐全或者不符合法定形式，现将需要补正的全部内容一次告知如下（《中华人民共和国行政许可法》第32条第1款第4项）：`,
    ...groups.flatMap((g) => [
      `${g.departmentName?.zh ?? '承办部门'}：`,
      ...g.items.map((i) => `${++n}. ${i.materialName?.zh ?? i.material}：${i.reason}`),
    ]),
    '补正期间不计入办理时限；请一次提交上述全部材料。',
    '',
    dateZh(f.date),
  ];
  return {
    noticeNo: `${f.caseNo}-S${f.round}`,
    caseNo: f.caseNo,
    service: f.service,
    date: f.date,
    round: f.round,
    departments: groups,
    itemCount: f.items.length,
    text: lines.join('\n'),
  };
}

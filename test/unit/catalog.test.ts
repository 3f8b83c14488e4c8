/**
 * The catalogue refuses a plan the law or its own promise does not allow (issue 11, item 1): a chain of step limits
 * past the case promise (named), a step limit over the statutory period it cites, and a deemed approval that no cited
 * rule provides. The committed services load, and each one's longest chain fits its promise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_SERVICES_DIR,
  InvalidServiceDefinitionError,
  lawfulPlanIssues,
  loadServiceCatalog,
  longestStepChain,
  parseServiceDefinition,
} from '../../infra/services/catalog';
import type { ServiceDefinition } from '../../domain/types';

const schoolBus = (): ServiceDefinition => JSON.parse(fs.readFileSync(path.join(DEFAULT_SERVICES_DIR, 'school-bus.json'), 'utf8')) as ServiceDefinition;

/** The school-bus plan with one change, as raw data (what a definition file holds). */
function variant(change: (def: ServiceDefinition) => void): ServiceDefinition {
  const def = schoolBus();
  change(def);
  return def;
}
const step = (def: ServiceDefinition, id: string) => def.review.steps.find((s) => s.id === id)!;

/** The school-bus plan before issue 11: 1 + 2 + 1 + 1 + 1 = 6 working days, police and transport deemed approved. */
function oldSchoolBusPlan(def: ServiceDefinition): void {
  const sign = { ...step(def, 'government-approval'), id: 'sign-issuance', department: 'public_security' as const, after: ['government-approval'] };
  def.review.steps.push(sign);
}

describe('the catalogue check', () => {
  it.each<[string, (def: ServiceDefinition) => void, RegExp]>([
    [
      'a plan that chains past its promise (the old school-bus plan: 6 working days against 5)',
      oldSchoolBusPlan,
      /the step chain education-acceptance -> police-opinion -> education-opinion -> government-approval -> sign-issuance takes 1\+2\+1\+1\+1 = 6 working days, over the case promise of 5/,
    ],
    [
      'a promise shortened under its chain',
      (def) => { def.review.caseLimitWorkingDays = 4; },
      /step chain education-acceptance -> police-opinion -> education-opinion -> government-approval takes 1\+2\+1\+1 = 5 working days, over the case promise of 4/,
    ],
    [
      'a step over its statutory limit (police opinion 4 working days; 校车安全管理条例 art. 15 gives 3)',
      (def) => { def.review.caseLimitWorkingDays = 10; step(def, 'police-opinion').limitWorkingDays = 4; },
      /step police-opinion: its limit of 4 working days is over the statutory 3 \(校车安全管理条例 art\. 15\)/,
    ],
    [
      'a deemed approval without a citing rule (the old police opinion)',
      (def) => { step(def, 'police-opinion').onLimit = 'deemed_approval'; },
      /step police-opinion: deemed approval at the limit needs a cited rule that deems silence consent .*provides none/,
    ],
    [
      'a deemed approval whose rule claims consent but quotes no deeming clause',
      (def) => {
        const s = step(def, 'transport-opinion');
        s.onLimit = 'deemed_approval';
        s.legalBasis.onLimit = { ...s.legalBasis.onLimit, providesDeemedConsent: true, text: '应当在3个工作日内回复意见' };
      },
      /step transport-opinion: deemed approval/,
    ],
    [
      'a statutory period taken from a human step',
      (def) => { step(def, 'government-approval').limitFromCheckOf = 'education-opinion'; },
      /step government-approval: education-opinion must be an earlier automatic check/,
    ],
    [
      'a step without its legal basis',
      (def) => { delete (step(def, 'education-opinion') as Partial<ServiceDefinition['review']['steps'][number]>).legalBasis; },
      /review\.steps\.3\.legalBasis/,
    ],
  ])('refuses %s', (_what, change, message) => {
    expect(() => parseServiceDefinition(variant(change), 'school-bus.json')).toThrow(InvalidServiceDefinitionError);
    expect(() => parseServiceDefinition(variant(change), 'school-bus.json')).toThrow(message);
  });

  it.each<[string, (def: ServiceDefinition) => void]>([
    ['the committed plan', () => undefined],
    ['a chain exactly at the promise, every limit exactly at the law', (def) => {
      def.review.caseLimitWorkingDays = 11; // 3 + 3 + 5 (the government's step keeps 1 of its 20)
      step(def, 'education-acceptance').limitWorkingDays = 3;
      step(def, 'police-opinion').limitWorkingDays = 3;
      step(def, 'transport-opinion').limitWorkingDays = 3;
      step(def, 'education-opinion').limitWorkingDays = 4;
    }],
    ['a deemed approval a cited rule provides (行政许可法 art. 50 para. 2, renewal)', (def) => {
      const s = step(def, 'transport-opinion');
      s.onLimit = 'deemed_approval';
      s.legalBasis.onLimit = { document: '中华人民共和国行政许可法', article: 'art. 50 para. 2', providesDeemedConsent: true, text: '逾期未作决定的，视为准予延续' };
    }],
  ])('accepts %s', (_what, change) => {
    expect(lawfulPlanIssues(variant(change))).toEqual([]);
    expect(() => parseServiceDefinition(variant(change), 'school-bus.json')).not.toThrow();
  });

  it('loading a folder with an unlawful plan fails and names the file and the chain', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-catalog-'));
    try {
      fs.writeFileSync(path.join(dir, 'school-bus.json'), JSON.stringify(variant(oldSchoolBusPlan)));
      expect(() => loadServiceCatalog(dir)).toThrow(/service definition school-bus\.json is invalid: review\.caseLimitWorkingDays: the step chain .*sign-issuance takes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the longest chain follows the slowest branch of a parallel fan-out', () => {
    expect(
      longestStepChain([
        { id: 'a', after: [], limitWorkingDays: 1 },
        { id: 'b', after: ['a'], limitWorkingDays: 3 },
        { id: 'c', after: ['a'], limitWorkingDays: 2 },
        { id: 'd', after: ['b', 'c'], limitWorkingDays: 1 },
      ]),
    ).toEqual({ days: 5, chain: ['a', 'b', 'd'] });
  });

  it('every committed service fits its promise, cites a basis for each step, and deems no silence consent', () => {
    for (const def of loadServiceCatalog().list()) {
      expect(longestStepChain(def.review.steps).days).toBeLessThanOrEqual(def.review.caseLimitWorkingDays);
      for (const s of def.review.steps) {
        expect(s.legalBasis.limit.document).toBeTruthy();
        expect(s.onLimit).toBe('escalate');
      }
    }
    // SCHOOLBUS: the joint review's plan fits 5 working days; police and transport within art. 15's 3.
    const sb = loadServiceCatalog().get('SCHOOLBUS')!;
    expect(sb.review.steps.map((s) => s.id)).toEqual(['education-acceptance', 'police-opinion', 'transport-opinion', 'education-opinion', 'government-approval']);
    expect(longestStepChain(sb.review.steps)).toEqual({ days: 5, chain: ['education-acceptance', 'police-opinion', 'education-opinion', 'government-approval'] });
  });
});

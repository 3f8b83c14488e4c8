/**
 * What the applicant reads of a supplement request (GET /track/{caseNo} outstandingSupplement): the workflow writes
 * each reason as `<department code>: <reason>`, and the tracking view splits that into the department (with its
 * name) and the reviewer's reason, and names the material from the service definition.
 */
import { departmentName } from '../../domain/departments';
import { loadServiceCatalog } from '../../infra/services/catalog';
import { missingForApplicant } from '../../infra/repositories/tracking';

const schoolBus = loadServiceCatalog().get('SCHOOLBUS');

describe('missingForApplicant', () => {
  it('splits the department code off the reason and names the material and the department', () => {
    expect(missingForApplicant([{ material: 'insurance', reason: 'education: 保险凭证已过期' }], schoolBus)).toEqual([
      { material: 'insurance', materialName: { zh: '承运人责任保险凭证', en: 'Carrier liability insurance' }, department: 'education', departmentName: departmentName('education'), reason: '保险凭证已过期' },
    ]);
  });

  it('keeps a colon inside the reason, and splits only a known department code followed by ": "', () => {
    const [a, b, c] = missingForApplicant(
      [
        { material: 'route-plan', reason: 'public_security: 站点：东门 不符合停靠要求: 请调整' },
        { material: 'route-plan', reason: '站点: 东门' },
        { material: 'route-plan', reason: 'educationx: 东门' },
      ],
      schoolBus,
    );
    expect(a).toMatchObject({ department: 'public_security', departmentName: departmentName('public_security'), reason: '站点：东门 不符合停靠要求: 请调整' });
    expect(b).toMatchObject({ department: null, departmentName: null, reason: '站点: 东门' });
    expect(c).toMatchObject({ department: null, departmentName: null, reason: 'educationx: 东门' });
  });

  it('gives no name for a material the definition does not list (or without a definition), keeping the code', () => {
    expect(missingForApplicant([{ material: 'unknown-thing', reason: 'transport: x' }], schoolBus)[0]).toMatchObject({ material: 'unknown-thing', materialName: null, department: 'transport' });
    expect(missingForApplicant([{ material: 'insurance', reason: 'transport: x' }], undefined)[0]).toMatchObject({ materialName: null, reason: 'x' });
  });
});

/**
 * Reference records as data (data/reference/*.json): every committed file parses, and a bad file is refused before
 * anything is written, with the file and the field named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { creditCodeWithCheck, idCardWithCheck } from '../../domain/identifiers';
import { loadReferenceFiles, referenceDataDirs } from '../../infra/db/seed';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The same number with another check character. */
const wrongCheck = (id: string) => id.slice(0, -1) + (id.endsWith('1') ? '2' : '1');

function dirWith(name: string, content: unknown): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'dir-'));
  fs.writeFileSync(path.join(dir, name), JSON.stringify(content));
  return dir;
}

it('every committed reference file parses, with correct identifiers', () => {
  expect(() => loadReferenceFiles(referenceDataDirs({}))).not.toThrow();
});

it('REFERENCE_DATA_DIRS lists the folders to read, in order', () => {
  expect(referenceDataDirs({ REFERENCE_DATA_DIRS: ['/a', '/b'].join(path.delimiter) })).toEqual(['/a', '/b']);
});

it('a record fills its optional fields with the defaults the checks expect', () => {
  const idCard = idCardWithCheck('37080219900101101');
  const [file] = loadReferenceFiles([dirWith('people.json', { people: [{ idCard, name: '测试人' }] })]);
  expect(file!.data.people[0]).toMatchObject({ idCard, licenceClass: null, fullPointDates: [], criminalRecord: false });
});

it.each([
  ['a credit code with a wrong check character', { companies: [{ creditCode: '91370800MA3C000100', name: 'x', legalRepresentative: 'y', businessScope: [] }] }, 'companies.0.creditCode'],
  ['an ID number with a wrong check character', { people: [{ idCard: wrongCheck(idCardWithCheck('37080219900101101')), name: 'x' }] }, 'people.0.idCard'],
  ['a date that is not YYYY-MM-DD', { people: [{ idCard: idCardWithCheck('37080219900101101'), name: 'x', licenceValidUntil: '2030/12/31' }] }, 'people.0.licenceValidUntil'],
  ['an unknown field (a typo is not silently dropped)', { vehicles: [{ plate: '鲁H40001', ownerKey: creditCodeWithCheck('91370800MA3C00070'), kind: 'car', axles: 2, configuration: 'car', totalMassKg: 1800, seat: 5 }] }, 'vehicles.0'],
])('refuses %s, naming the file and the field', (_what, content, field) => {
  const dir = dirWith('bad.json', content);
  expect(() => loadReferenceFiles([dir])).toThrow(`${path.join(dir, 'bad.json')}: ${field}`);
});

/**
 * Checks service definitions and city files as the API will load them, before a deployment:
 *
 *   npx tsx scripts/check-services.ts                         # data/services and data/city/departments.json
 *   SERVICES_DIRS=data/services:/etc/onestop/services CITY_FILES=data/city/departments.json:/etc/onestop/city.json \
 *     npx tsx scripts/check-services.ts
 *
 * Each file against its JSON Schema (data/schema, what editors use through `$schema`), then the whole catalogue through
 * the catalogue's own checks (departments known, a lawful plan, form fields titled, rules and certificate fields that
 * exist, an example the form accepts). Prints one line per service, or the problems and exits 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../infra/config';
import { catalogSourcesFromEnv, loadServiceCatalog } from '../infra/services/catalog';

const schemaFile = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'data', 'schema', name), 'utf8'));

/** A schema of data/schema, with the schemas it refers to (a step's checks: checks.schema.json). */
function validator(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(schemaFile('checks.schema.json') as object);
  return ajv.compile(schemaFile(name) as object);
}

function main(): void {
  const sources = catalogSourcesFromEnv(process.env);
  const problems: string[] = [];
  const check = (file: string, validate: ReturnType<typeof validator>) => {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
      return;
    }
    if (!validate(data)) for (const e of validate.errors ?? []) problems.push(`${file}: ${e.instancePath || '/'} ${e.message}`);
  };
  const city = validator('city-departments.schema.json');
  for (const f of sources.cityFiles) check(f, city);
  const definition = validator('service-definition.schema.json');
  for (const dir of sources.servicesDirs) for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) check(path.join(dir, f), definition);
  if (problems.length === 0) {
    try {
      const catalog = loadServiceCatalog(sources);
      for (const d of catalog.list()) console.log(`✔ ${d.code} v${d.version} (${d.name.zh}): form ${d.form}, ${d.review.steps.length} steps, departments ${d.departments.join(', ')}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`✖ ${p}`);
    process.exit(1);
  }
}

main();

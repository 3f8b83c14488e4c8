/**
 * Writes data/schema/checks.schema.json, the JSON Schema of a step's `checks` that editors validate definition files
 * with, from the check library's own zod schemas (`checksJsonSchema`). Run after adding or changing a check type:
 * `npx tsx scripts/checks-schema.ts` (test/unit/check-library.test.ts fails until the file is regenerated).
 */
import fs from 'node:fs';
import path from 'node:path';
import { checksJsonSchema } from '../domain/checks';

const file = path.resolve(__dirname, '../data/schema/checks.schema.json');
fs.writeFileSync(file, `${JSON.stringify(checksJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);

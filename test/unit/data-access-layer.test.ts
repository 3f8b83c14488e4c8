/**
 * One data-access layer (issue 10, part 5): one module per aggregate under infra/repositories owns its SQL, so that
 * ownership scoping, masking and idempotency are written once. This test keeps the rule from eroding: it parses every
 * .ts file of the project (TypeScript's own parser, so comments and prose never count) and lists, with file and line,
 * every place outside the allowed directories that
 * - runs a statement itself: `.execute(`/`.execute<` (not Temporal's `client.workflow.execute`), `.createQueryBuilder(`,
 *   `.getConnection(`, `.getKnex(`;
 * - holds SQL in a string (`select `, `insert into`, `update … set`, `delete from`, `on conflict`);
 * - imports an entity as a value from infra/db/entities (with an entity in hand, a query is being built), or MikroORM's
 *   `raw`/`sql` fragments.
 *
 * Allowed: infra/repositories (the aggregates), infra/db (entities, migrations, seed, ORM setup), bench/ and test/
 * (they set up and inspect data), and the migration runner's advisory lock (schema tooling, not data).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const ALLOWED_DIRS = ['infra/repositories/', 'infra/db/', 'bench/', 'test/'];
/** Files outside those directories that may run SQL, each with its reason. */
const ALLOWED_FILES: Record<string, string> = {
  'scripts/migrate.ts': 'the advisory lock that serialises concurrent migration runs (schema tooling, like infra/db/migrations)',
};
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.tools', '.data', 'dist', 'logs', 'coverage']);

const SQL_STRING = /^\s*(select\s|insert\s+into\s|update\s+"?[\w.]+"?\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\()|\bon\s+conflict\b/i;
const STATEMENT_METHODS = new Set(['execute', 'createQueryBuilder', 'getConnection', 'getKnex']);
const ENTITIES_MODULE = /(^|\/)infra\/db\/entities$|^\.{1,2}\/(\.\.\/)*entities$/;

interface Offence {
  file: string;
  line: number;
  what: string;
}

/** Where `source` (the text of `file`, a path relative to the project root) accesses the database itself. */
function findDataAccess(file: string, source: string): Offence[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Offence[] = [];
  const add = (node: ts.Node, what: string) => found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what });

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      // Temporal's client starts workflows with `client.workflow.execute(...)`: not a statement.
      const temporal = method === 'execute' && ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'workflow';
      if (STATEMENT_METHODS.has(method) && !temporal) add(node, `.${method}${node.typeArguments ? '<' : '('}`);
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (SQL_STRING.test(node.text)) add(node, `SQL string "${node.text.trim().slice(0, 40)}"`);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const from = node.moduleSpecifier.text;
      const clause = node.importClause;
      const valueNames = clause && !clause.isTypeOnly ? valueImports(clause) : [];
      if (ENTITIES_MODULE.test(from) && valueNames.length > 0) add(node, `imports entities ${valueNames.join(', ')} from ${from}`);
      if (from.startsWith('@mikro-orm/')) {
        const fragments = valueNames.filter((n) => n === 'raw' || n === 'sql');
        if (fragments.length > 0) add(node, `imports the SQL fragment ${fragments.join(', ')} from ${from}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function valueImports(clause: ts.ImportClause): string[] {
  const names: string[] = [];
  if (clause.name) names.push(clause.name.text);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(`* as ${bindings.name.text}`);
  if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) if (!e.isTypeOnly) names.push((e.propertyName ?? e.name).text);
  return names;
}

function projectSources(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : projectSources(abs);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.relative(ROOT, abs).split(path.sep).join('/')] : [];
  });
}

const scan = (files: string[]) => files.flatMap((f) => findDataAccess(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
const allowed = (f: string) => ALLOWED_DIRS.some((d) => f.startsWith(d)) || f in ALLOWED_FILES;

describe('the detector', () => {
  it.each([
    ['a raw statement', "await em.execute('update x set a = 1');", ['.execute(', 'SQL string "update x set a = 1"']],
    ['a typed raw statement', 'await tx.execute<{ n: number }[]>(q, []);', ['.execute<']],
    ['a query builder', 'em.createQueryBuilder(Foo).where({}).getResultList();', ['.createQueryBuilder(']],
    ['a connection', 'orm.em.getConnection().getKnex();', ['.getKnex(', '.getConnection(']],
    ['SQL in a template', 'const q = `\n  SELECT *\n  from t where a = ${a}`;', ['SQL string "SELECT *\n  from t where a ="']],
    ['an upsert', "const q = `insert into t (a) values (${a}) on conflict do nothing`;", ['SQL string "insert into t (a) values ("', 'SQL string ") on conflict do nothing"']],
    ['a value import of an entity', "import { OneStopCase, type CaseEvent } from '../infra/db/entities';", ["imports entities OneStopCase from ../infra/db/entities"]],
    ['a raw fragment', "import { raw, type EntityManager } from '@mikro-orm/postgresql';", ['imports the SQL fragment raw from @mikro-orm/postgresql']],
  ])('finds %s', (_name, source, what) => {
    expect(findDataAccess('x.ts', source).map((o) => o.what).sort()).toEqual([...what].sort());
  });

  it.each([
    ['Temporal starting a workflow', 'await client.workflow.execute(caseWorkflow, { taskQueue, workflowId, args });'],
    ['type-only imports of entities', "import type { OneStopCase } from '../infra/db/entities';\nimport { type Certificate } from '../../infra/db/entities';"],
    ['prose in comments', "// select the oldest rows, then delete from the archive\n/** `tx.execute(...)` runs inside the transaction */"],
    ['prose in messages', "throw new Error('selected the wrong service'); const m = 'please select one';"],
    ['repository calls', 'await recordCaseProgress(deps.orm.em.fork(), p); const c = await findCertificate(em(), no);'],
  ])('ignores %s', (_name, source) => {
    expect(findDataAccess('x.ts', source)).toEqual([]);
  });
});

describe('SQL lives in the repositories', () => {
  const files = projectSources();

  it('sees the project (and the SQL the repositories hold)', () => {
    expect(files).toEqual(expect.arrayContaining(['activities/case-records.ts', 'api/routes/certificates.ts', 'infra/repositories/cases.ts']));
    expect(scan(files.filter((f) => f.startsWith('infra/repositories/'))).length).toBeGreaterThan(0);
  });

  it('no activity, route, worker, script or domain module runs SQL or builds queries itself', () => {
    const offences = scan(files.filter((f) => !allowed(f))).map((o) => `${o.file}:${o.line} ${o.what}`);
    // Move each into the repository of its aggregate (infra/repositories/*), and call that.
    expect(offences).toEqual([]);
  });

  it('each allowed file outside the allowed directories exists and still needs its exception', () => {
    for (const file of Object.keys(ALLOWED_FILES)) {
      expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
      expect(scan([file]).length).toBeGreaterThan(0);
    }
  });
});

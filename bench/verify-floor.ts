/**
 * The floor for public verify: a bare Express server with a node-postgres pool doing the primary-key lookup on the
 * same certificate table, and nothing else (no validation, no signature check, no logging, no metrics). What the
 * platform's verify costs above this is what its route table, zod, MikroORM and the signature check add.
 *
 *   node --import tsx bench/verify-floor.ts   (FLOOR_PORT, DATABASE_URL; prints "listening <port>" when ready)
 */
import express from 'express';
import { Pool } from 'pg';

const port = Number(process.env.FLOOR_PORT ?? 13090);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();

app.get('/certificates/:no/verify', async (req, res) => {
  const { rows } = await pool.query<{ no: string; valid_until: Date; revoked_at: Date | null }>(
    'select no, valid_until, revoked_at from certificate where no = $1',
    [req.params.no],
  );
  const c = rows[0];
  const status = !c ? 'unknown' : c.revoked_at ? 'revoked' : c.valid_until.getTime() < Date.now() ? 'expired' : 'valid';
  res.json({ no: req.params.no, status });
});

const server = app.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

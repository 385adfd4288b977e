// The floor under the service's transitions (bench:transitions): a bare Node HTTP server that,
// for each POST, does ../shared/limits' raw transition in node-postgres (lock the review, update
// its snapshot, insert a history row and an outbox row, in one transaction) and answers the new
// version as JSON. No framework, no access policy, no audit, no lifecycle: what HTTP and Node
// alone cost on top of the raw SQL, on the same machine and the same clients.
// Env: PORT, DATABASE_URL, POOL_SIZE (the service's pool size).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });

createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const client = await pool.connect();
  try {
    const { id } = JSON.parse(body);
    await client.query('BEGIN');
    const [{ version }] = (await client.query('SELECT version FROM lim_reviews WHERE id = $1 FOR UPDATE', [id])).rows;
    await client.query(`UPDATE lim_reviews SET snapshot = jsonb_set(snapshot, '{context,n}', to_jsonb(version + 1)), status = 'drafting', version = version + 1 WHERE id = $1`, [id]);
    await client.query(`INSERT INTO lim_events (review_id, type, payload, actor, from_status, to_status) VALUES ($1, 'RECORD_IMR_RECEIPT', '{"imr":"x"}', 'bench', 'drafting', 'drafting')`, [id]);
    await client.query(`INSERT INTO lim_outbox (topic, payload) VALUES ('reminders.reschedule', '{"deadline":"x"}')`);
    await client.query('COMMIT');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ id, version: version + 1 }));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    res.statusCode = 500;
    res.end(String(error));
  } finally {
    client.release();
  }
}).listen(Number(process.env.PORT), '127.0.0.1');

// Calls the gateway with the official openai client, unchanged but for its baseURL and key, and prints one JSON
// line per scenario for the Java test to check. Usage: node check.mjs BASE_URL KEY SCENARIO...
import OpenAI from 'openai';

const [baseURL, apiKey, ...scenarios] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey });
const messages = [{ role: 'user', content: 'What is the boiling point of water?' }];

function failure(e) {
  if (!(e instanceof OpenAI.APIError)) throw e;
  return { ok: false, status: e.status, code: e.code ?? null, type: e.type ?? null, message: e.message,
    attempts: e.headers?.get('x-cascade-attempts') ?? null };
}

async function run(name) {
  switch (name) {
    case 'plain': {
      const c = await client.chat.completions.create({ model: 'default', messages, max_tokens: 32 });
      return { ok: true, id: c.id, model: c.model, content: c.choices[0].message.content, cascade: c.cascade };
    }
    case 'stream': {
      const stream = await client.chat.completions.create({ model: 'default', messages, stream: true });
      let content = '';
      let chunks = 0;
      let finish = null;
      for await (const chunk of stream) {
        chunks++;
        content += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      return { ok: true, content, chunks, finish };
    }
    case 'failing':
      try {
        await client.chat.completions.create({ model: 'failing', messages });
        return { ok: true };
      } catch (e) {
        return failure(e);
      }
    case 'deadline':
      try {
        await client.chat.completions.create({ model: 'slow', messages }, { timeout: 2500, maxRetries: 0 });
        return { ok: true };
      } catch (e) {
        return failure(e);
      }
    case 'retry': {
      const key = 'retry-' + Date.now();
      const options = { headers: { 'Idempotency-Key': key } };
      const first = await client.chat.completions.create({ model: 'default', messages }, options);
      const again = await client.chat.completions.create({ model: 'default', messages }, options);
      return { ok: true, key, first: first.cascade, again: again.cascade, same: first.choices[0].message.content
          === again.choices[0].message.content };
    }
    default:
      throw new Error('unknown scenario ' + name);
  }
}

for (const name of scenarios) {
  const started = Date.now();
  const result = await run(name);
  console.log(JSON.stringify({ scenario: name, ms: Date.now() - started, ...result }));
}

import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

/** API bodies are small (an enrolment is a few hundred bytes); anything larger is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => new HttpError(413, 'BAD_REQUEST', `the request body exceeds ${MAX_BODY_BYTES} bytes`);

/** Reads and parses a JSON body, refusing more than MAX_BODY_BYTES (413) and anything not JSON (400). */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'BAD_REQUEST', 'the request needs a JSON body');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'the request body is not valid JSON');
  }
}

import type { ServerResponse } from 'node:http';
import { defaultMessage, type ErrorCode } from '../../../common/protocol';

/** A refusal with its HTTP status and catalog code; handlers throw it, the router answers it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string = defaultMessage(code),
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });
}

/** The same JSON refusal written on a raw socket, for upgrade requests that get no WebSocket. */
export function rawHttpError(error: HttpError): string {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[
    error.status
  ];
  return (
    `HTTP/1.1 ${error.status} ${reason ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { problemType } from './problem.js';

const logger = new Logger('HTTP');

/**
 * Node's HTTP parser refuses some requests before Fastify sees them: headers (request line
 * included) over its limit (431), a request that times out (408), a malformed one (400). Fastify
 * would answer those with its own JSON; this answers them as problem+json too (its
 * `clientErrorHandler` option), then closes the connection as Node does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, slug, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request-header-fields-too-large', 'the request line and headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'the request was not received in time']
        : [400, 'bad-request', 'the request is not valid HTTP'];
  logger.debug(`client error ${error.code ?? ''}: ${error.message}`);
  if (socket.writable) {
    const title = STATUS_CODES[status]!;
    const body = JSON.stringify({ type: problemType(slug), title, status, detail });
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

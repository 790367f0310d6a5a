import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceConfig } from '#platform/config.js';
import { carriesMetricsToken, METRICS_PATH, ServiceMetrics } from '#platform/metrics.js';
import { ServiceHealth } from '#platform/service-health.js';
import { SERVICE_CONFIG } from '#platform/tokens.js';

/**
 * The worker process's only HTTP, on WORKER_HEALTH_PORT (bound to HOST): `GET /health`, the same
 * answer as the API's /health (database, Redis, the projection runner, the job consumers), for
 * an orchestrator's health check; and, when METRICS_TOKEN is set, `GET /metrics` for the
 * operators' scraper, with that token. Plain node:http: two routes need no framework.
 */
@Injectable()
export class WorkerHealthListener implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server: Server | null = null;

  constructor(
    private readonly health: ServiceHealth,
    private readonly metrics: ServiceMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Called once the worker runs (every component has registered its check). Resolves with the URL. */
  async listen(): Promise<string> {
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.workerHealthPort, this.config.host, () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/health`;
    this.logger.log(`health on ${url}`);
    return url;
  }

  /** The health check stops answering as soon as the shutdown begins: the process takes no more work. */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    const metricsToken = this.config.metricsToken;
    if (path === METRICS_PATH && metricsToken !== null) return this.answerScrape(request, response, metricsToken);
    if (path !== '/health') return this.send(response, 404, 'application/problem+json', { type: 'about:blank', title: 'Not Found', status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return this.send(response, 405, 'application/problem+json', { type: 'about:blank', title: 'Method Not Allowed', status: 405 });
    }
    try {
      const answer = await this.health.check();
      this.send(response, answer.status === 'up' ? 200 : 503, 'application/json', answer, request.method === 'HEAD');
    } catch (error) {
      this.logger.error(`health check failed: ${error instanceof Error ? error.message : String(error)}`);
      this.send(response, 500, 'application/problem+json', { type: 'about:blank', title: 'Internal Server Error', status: 500 });
    }
  }

  private async answerScrape(request: IncomingMessage, response: ServerResponse, token: string): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return this.send(response, 405, 'application/problem+json', { type: 'about:blank', title: 'Method Not Allowed', status: 405 });
    }
    if (!carriesMetricsToken(request.headers.authorization, token)) {
      response.setHeader('www-authenticate', 'Bearer');
      return this.send(response, 401, 'application/problem+json', { type: 'about:blank', title: 'Unauthorized', status: 401 });
    }
    const text = await this.metrics.render().catch((error: unknown) => {
      this.logger.error(`metrics failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (text === null) return this.send(response, 500, 'application/problem+json', { type: 'about:blank', title: 'Internal Server Error', status: 500 });
    response.writeHead(200, { 'content-type': this.metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  private send(response: ServerResponse, status: number, type: string, body: unknown, headOnly = false): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    response.end(headOnly ? undefined : text);
  }
}

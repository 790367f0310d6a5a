import type { Params } from 'nestjs-pino';
import type { ServiceConfig } from '../../../libs/platform/src/config.js';

/**
 * JSON logs. Request bodies are never logged; the Authorization header and any field named
 * `insz` are redacted wherever they appear, as a second line of defence.
 */
export function loggerOptions(config: Pick<ServiceConfig, 'logLevel'>, destination?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        redact: {
          paths: ['req.headers.authorization', 'req.headers.cookie', 'insz', '*.insz', '*.*.insz', 'req.body', 'res.headers["set-cookie"]'],
          censor: '[redacted]',
        },
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        },
        autoLogging: { ignore: (req) => req.url === '/health' },
      },
      ...(destination ? [destination] : []),
    ] as Params['pinoHttp'],
  };
}

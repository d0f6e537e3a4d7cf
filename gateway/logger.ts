// Structured logs through pino. Secrets never belong in logs; the redaction list is a second line of defence
// for a field logged by mistake, not a licence to log request bodies.
import { pino, type Logger } from 'pino';
import type { GatewayConfig } from './config.ts';

export function createLogger(level: GatewayConfig['logLevel']): Logger {
  return pino({
    name: 'tuan',
    level,
    redact: {
      paths: ['token', 'apiKey', 'authorization', 'tokenSecret', '*.token', '*.apiKey', '*.authorization', '*.tokenSecret', 'config.tokenSecret'],
      censor: '[redacted]',
    },
  });
}

/**
 * The alert when an active mapping version fails at run time (a field missing from DAGR's data
 * → RenderError → EDM:ERR:0008 for that request): an error log naming the mapping, its version
 * and how to restore the previous one, and a counter `oots_mapping_failures_total{mapping,
 * version, code}` to alert on. Never logs the record, the subject or the detail text.
 */
import { Counter, type Registry } from 'prom-client';
import type { ExchangeSummary } from '../exchange/ports.js';
import type { Logger } from '../infra/logger.js';

export interface MappingFailureAlert {
  /** Records one failure of `mappingId` at `version` with `code` (an EDM error code). */
  onMappingFailure(mappingId: string, version: string | undefined, code: string): void;
  /** Feeds a finished exchange: answers EDM:ERR:0008 produced with a mapping count as its failures. */
  observe(summary: ExchangeSummary): void;
}

export function createMappingFailureAlert(deps: {
  readonly logger?: Logger | undefined;
  readonly registry?: Registry | undefined;
}): MappingFailureAlert {
  const log = deps.logger?.child({ component: 'mapping-alert' });
  const counter =
    deps.registry === undefined
      ? undefined
      : new Counter({
          name: 'oots_mapping_failures_total',
          help: 'Requests a mapping version could not answer (EDM:ERR:0008): alert, then roll back the mapping',
          labelNames: ['mapping', 'version', 'code'] as const,
          registers: [deps.registry],
        });
  const alert: MappingFailureAlert = {
    onMappingFailure(mappingId, version, code) {
      counter?.inc({ mapping: mappingId, version: version ?? 'unknown', code });
      log?.error(
        {
          alert: 'mapping-failure',
          mappingId,
          mappingVersion: version,
          edmCode: code,
          restore: `POST /admin/api/mappings/${mappingId}/rollback (or the admin page /admin/mappings)`,
        },
        'an active mapping version failed to produce evidence',
      );
    },
    observe(summary) {
      if (summary.outcome === 'error' && summary.edmCode === 'EDM:ERR:0008' && summary.mappingId !== undefined)
        alert.onMappingFailure(summary.mappingId, summary.mappingVersion, summary.edmCode);
    },
  };
  return alert;
}

/**
 * The evidence step of the preview login (src/exchange/evidence-at-login.ts) as the api role runs
 * it: the same renderer and mappings the worker's exchange uses, and the DAGR port of the api part
 * (the worker part's client in role all, else one connected on first use: ./api-dagr.ts).
 */
import { randomUUID } from 'node:crypto';
import { produceEvidenceAtLogin, type LoginEvidence, type LoginEvidenceInput } from '../exchange/evidence-at-login.js';
import type { DagrPort } from '../exchange/ports.js';
import type { EvidenceMapping } from '../mapping/model.js';
import type { RenderPort } from '../render/port.js';
import { revisionOf } from '../mapping/versions.js';
import type { Core } from './core.js';

export function previewEvidenceStep(
  core: Core,
  dagr: DagrPort,
): (input: LoginEvidenceInput) => Promise<LoginEvidence> {
  const { config } = core;
  const deps = {
    registry: core.mappings.registry,
    dagr,
    // Built on the first login that needs it (fonts are read once, shared with the worker part).
    renderer: {
      render: (i) => core.renderer().render(i),
      previewFields: (i) => core.renderer().previewFields(i),
    } satisfies RenderPort,
    messageDomain: config.messageDomain,
    uuid: randomUUID,
    now: () => new Date(),
    mappingAt: (id: string, version: string) => mappingAt(core, id, version),
  };
  return (input) => produceEvidenceAtLogin(input, deps);
}

/**
 * The mapping at the version request #1 used: the live one when it is still that version, else that
 * revision from the store; undefined when the store no longer has it.
 */
async function mappingAt(core: Core, id: string, version: string): Promise<EvidenceMapping | undefined> {
  const live = core.mappings.registry.mappings.find((m) => m.id === id && m.version === version);
  if (live !== undefined) return live;
  const revision = revisionOf(version);
  if (revision === undefined) return undefined;
  const stored = await core.mappings.store.mapping(id, revision);
  return stored?.version === version ? stored : undefined;
}

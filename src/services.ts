import type { Platform } from './platform/context.ts';
import { createAuditService, type AuditService } from './audit/service.ts';

/** The services of every context, built once per process from the platform. */
export interface Services {
  audit: AuditService;
}

export function createServices(platform: Platform): Services {
  return {
    audit: createAuditService(platform),
  };
}

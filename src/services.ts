import type { Platform } from './platform/context.ts';
import { createAuditService, type AuditService } from './audit/service.ts';
import { createCalendarService, type CalendarService } from './calendar/service.ts';
import { createNotifyService, type NotifyService } from './notify/service.ts';
import { createRegistries } from './registries/service.ts';
import type { NationalRegistries } from './registries/ports.ts';

/** The services of every context, built once per process from the platform. */
export interface Services {
  audit: AuditService;
  calendar: CalendarService;
  notify: NotifyService;
  /** The national databases, through their ports (sandbox adapters here). */
  registries: NationalRegistries;
}

export function createServices(platform: Platform): Services {
  const audit = createAuditService(platform);
  return {
    audit,
    calendar: createCalendarService(platform, { audit }),
    notify: createNotifyService(platform),
    registries: createRegistries(platform),
  };
}

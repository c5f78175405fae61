/**
 * Texts of the citizen app added after the foundation (the shared ones are in
 * web/src/shared/messages.ts): Vietnamese first, and English with every key (checked by the type).
 */
export const citizenVi = {} as const;

export const citizenEn: Record<keyof typeof citizenVi, string> = {};

/**
 * Texts of the officer console added after the foundation (the shared ones are in
 * web/src/shared/messages.ts): Vietnamese first, and English with every key (checked by the type).
 */
export const officerVi = {} as const;

export const officerEn: Record<keyof typeof officerVi, string> = {};

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useAuth } from '../shared/auth.tsx';
import { useI18n } from '../shared/i18n.tsx';
import { useResource, type Resource } from '../shared/use-resource.ts';
import type { Me, Role, Unit } from './types.ts';

/**
 * Who the signed-in officer is (GET /api/v1/officer/me): the units they act for with their role in
 * each. The console works for one unit at a time (the picker); the menus offer what the roles held
 * there allow. The server re-checks roles and unit scope on every call anyway.
 */

interface OfficerContextValue {
  me: Resource<Me>;
  units: Unit[];
  unit: Unit | undefined;
  setUnit(id: string): void;
  /** Roles held in the chosen unit. */
  roles: ReadonlySet<Role>;
  /** The name of a unit the officer acts for, if known. */
  unitName(id: string): string | undefined;
}

const OfficerContext = createContext<OfficerContextValue | undefined>(undefined);
const UNIT_KEY = 'dd:officer:unit';

export function OfficerProvider({ children }: { children: ReactNode }) {
  const { api, session } = useAuth();
  const { lang } = useI18n();
  const me = useResource(
    (signal) => (session ? api.get<Me>('/api/v1/officer/me', { signal }) : Promise.reject(new Error('signed out'))),
    [api, session?.accessToken, lang],
  );
  const [chosen, setChosen] = useState<string | null>(() => sessionStorage.getItem(UNIT_KEY));
  const units = useMemo(() => {
    const seen = new Map<string, Unit>();
    for (const a of me.data?.assignments ?? []) if (!seen.has(a.unit.id)) seen.set(a.unit.id, a.unit);
    return [...seen.values()];
  }, [me.data]);
  const unit = units.find((u) => u.id === chosen) ?? units[0];
  const roles = useMemo(
    () => new Set((me.data?.assignments ?? []).filter((a) => a.unit.id === unit?.id).map((a) => a.role)),
    [me.data, unit?.id],
  );
  const setUnit = useCallback((id: string) => {
    sessionStorage.setItem(UNIT_KEY, id);
    setChosen(id);
  }, []);
  const value = useMemo<OfficerContextValue>(
    () => ({
      me,
      units,
      unit,
      setUnit,
      roles,
      unitName: (id) => units.find((u) => u.id === id)?.name,
    }),
    [me, units, unit, setUnit, roles],
  );
  return <OfficerContext.Provider value={value}>{children}</OfficerContext.Provider>;
}

export function useOfficer(): OfficerContextValue {
  const value = useContext(OfficerContext);
  if (!value) throw new Error('useOfficer outside OfficerProvider');
  return value;
}

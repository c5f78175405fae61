import type { MessageKey } from '../shared/messages.ts';
import type { Role, Unit } from './types.ts';

/** Who may open a page of the console: the roles held in the chosen unit (and its kind). */
type Allowed = (roles: ReadonlySet<Role>, unit: Unit | undefined) => boolean;

const has =
  (...wanted: Role[]): Allowed =>
  (roles) =>
    wanted.some((r) => roles.has(r));
const receiverAt =
  (immigration: boolean): Allowed =>
  (roles, unit) =>
    roles.has('RECEIVER') && (unit?.kind === 'immigration') === immigration;

/** The menu, in the order of a working day. */
export const MENU: { to: string; key: MessageKey; allowed: Allowed }[] = [
  { to: '/officer/', key: 'nav_queue', allowed: has('RECEIVER', 'APPROVER') },
  { to: '/officer/intake/citizen', key: 'nav_intake_citizen', allowed: receiverAt(false) },
  { to: '/officer/intake/organisation', key: 'nav_intake_organisation', allowed: receiverAt(false) },
  { to: '/officer/intake/foreigner', key: 'nav_intake_foreigner', allowed: receiverAt(true) },
  { to: '/officer/lock-requests', key: 'nav_lock_requests', allowed: has('RECEIVER', 'APPROVER') },
  { to: '/officer/lock-requests/new', key: 'nav_lock_intake', allowed: has('RECEIVER') },
  { to: '/officer/call-centre', key: 'nav_call_centre', allowed: has('CALL_CENTER') },
  { to: '/officer/holidays', key: 'nav_holidays', allowed: has('ADMIN') },
  { to: '/officer/report', key: 'nav_report', allowed: has('RECEIVER', 'APPROVER', 'ADMIN') },
];

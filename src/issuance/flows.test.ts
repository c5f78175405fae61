import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  deadlineRule,
  eventsFrom,
  FLOWS,
  mermaid,
  OPEN_STATES,
  PROCEDURE_INFO,
  PROCEDURES,
  TERMINAL_STATES,
  transitionFor,
  type ApplicationState,
  type DeadlineRule,
  type Procedure,
} from './model.ts';

/**
 * The transition tables (model.ts) are the single source of truth of every procedure. This file
 * checks that each flow is sound (every state reachable, every open state has a way out, roles
 * agree with what the service enforces) and that the diagrams in docs/issuance/ are the ones the
 * tables generate, so a change to a table without its documentation fails here.
 *
 * To regenerate the documentation after changing a table:
 *   UPDATE_ISSUANCE_DOCS=1 npx vitest run src/issuance/flows.test.ts && npx prettier --write docs/issuance
 */

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/issuance');

// ---------------------------------------------------------------------------------------------
// The documents

const SUBJECT = {
  citizen: { vi: 'công dân Việt Nam', en: 'Vietnamese citizen' },
  foreigner: { vi: 'người nước ngoài', en: 'foreign national' },
  organisation: { vi: 'cơ quan, tổ chức', en: 'agency or organisation' },
} as const;

const CHANNEL = {
  app: { vi: 'ứng dụng định danh điện tử', en: 'the electronic identity app' },
  counter: { vi: 'trực tiếp tại cơ quan Công an', en: 'in person at a police office' },
} as const;

/** What happens, in both languages (DOMAIN.md §5). */
const DESCRIPTION: Record<Procedure, { vi: string; en: string }> = {
  citizen_l1_app: {
    vi: 'Công dân từ đủ 14 tuổi có thẻ căn cước còn giá trị nhập số định danh cá nhân, số điện thoại chính chủ, thư điện tử (nếu có) và thông tin kê khai, chụp ảnh chân dung. Hệ thống đối chiếu với Cơ sở dữ liệu quốc gia về dân cư và ảnh chân dung đã lưu, quyết định ngay và thông báo kết quả.',
    en: 'A citizen aged 14 or over with a valid identity card enters their personal identification number, a phone number registered in their own name, an optional e-mail address and their declared data, and takes a selfie. The system checks them against the national population database and the portrait on record, decides at once and sends the result.',
  },
  citizen_l1_representative: {
    vi: 'Người đại diện (cha, mẹ, người giám hộ) có tài khoản mức độ 2 đang hoạt động đăng ký cho người dưới 14 tuổi, người được giám hộ hoặc người được đại diện; số điện thoại của người đại diện được sử dụng và tài khoản mới được liên kết với người đại diện.',
    en: 'A representative (parent, guardian) with an active level 2 account files for a child under 14, a ward or a represented person; the representative’s phone is used and the new account is linked to the representative.',
  },
  citizen_l2_counter: {
    vi: 'Công dân xuất trình thẻ căn cước gắn chíp và tờ khai TK01 tại Công an cấp xã hoặc cơ quan quản lý căn cước. Cán bộ tiếp nhận thu nhận ảnh chân dung và vân tay, đối chiếu với Cơ sở dữ liệu, in phiếu hẹn; một cán bộ khác phê duyệt.',
    en: 'The citizen shows the chip identity card and form TK01 at a commune police office or identity agency. The receiving officer captures the portrait and fingerprints, matches them against the database and prints the appointment slip; another officer decides.',
  },
  citizen_l2_with_card: {
    vi: 'Công dân chưa có thẻ căn cước hoặc thẻ đã hết hạn đề nghị cấp tài khoản mức độ 2 cùng với thủ tục cấp thẻ; hồ sơ chờ đến khi thẻ được cấp rồi mới được xét duyệt.',
    en: 'A citizen without an identity card, or with an expired one, applies for the level 2 account together with the card; the application waits until the card is issued, then is decided.',
  },
  citizen_upgrade: {
    vi: 'Chủ tài khoản mức độ 1 đang hoạt động làm thủ tục mức độ 2 tại quầy; sau khi được phê duyệt, chính tài khoản đó được nâng lên mức độ 2.',
    en: 'The holder of an active level 1 account applies for level 2 at a counter; once approved, the same account is raised to level 2.',
  },
  foreigner_l1_app: {
    vi: 'Người nước ngoài nhập số hộ chiếu hoặc giấy tờ có giá trị đi lại quốc tế, số điện thoại hoặc thư điện tử, thông tin kê khai và chụp ảnh chân dung trên ứng dụng; hệ thống đối chiếu với Cơ sở dữ liệu quốc gia về xuất nhập cảnh.',
    en: 'A foreign national enters the passport or travel document number, a phone number or e-mail address and their declared data, and takes a selfie in the app; the system checks them against the national immigration database.',
  },
  foreigner_l2_counter: {
    vi: 'Người nước ngoài đến cơ quan quản lý xuất nhập cảnh với hộ chiếu; ảnh chân dung và vân tay được đối chiếu với Cơ sở dữ liệu quốc gia về xuất nhập cảnh; cơ quan xuất nhập cảnh chuyển đề nghị đến C06 để phê duyệt.',
    en: 'The foreign national comes to an immigration office with the passport; portrait and fingerprints are matched against the immigration database; the immigration office forwards the request to C06, which decides.',
  },
  organisation_app: {
    vi: 'Người đại diện theo pháp luật có tài khoản mức độ 2 đăng ký trên ứng dụng sau khi tất cả những người đại diện theo pháp luật khác đã đồng ý; hệ thống đối chiếu với Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp.',
    en: 'A legal representative with a level 2 account files in the app once every other legal representative has consented; the system checks the National Business Registration Database.',
  },
  organisation_counter: {
    vi: 'Người đại diện theo pháp luật, người đứng đầu hoặc người được ủy quyền nộp tờ khai TK02 tại C06, cơ quan quản lý căn cước hoặc Công an cấp xã; tổ chức không có trong cơ sở dữ liệu nào được xác minh thủ công.',
    en: 'The legal representative, the head or an authorised person files form TK02 at C06, an identity agency or commune police; an organisation found in no database is verified by hand.',
  },
};

function ruleText(rule: DeadlineRule): { vi: string; en: string } {
  return rule.unit === 'working'
    ? { vi: `${rule.days} ngày làm việc`, en: `${rule.days} working day${rule.days === 1 ? '' : 's'}` }
    : { vi: `${rule.days} ngày`, en: `${rule.days} calendar days` };
}

/** The deadline, with the fact that chooses between two (DOMAIN.md §5), from deadlineRule itself. */
function deadlineText(p: Procedure): { vi: string; en: string } {
  if (p === 'foreigner_l2_counter') {
    const on = ruleText(deadlineRule(p, { biometricsOnRecord: true }));
    const now = ruleText(deadlineRule(p, { biometricsOnRecord: false }));
    return {
      vi: `${on.vi} nếu ảnh chân dung và vân tay đã có trong Cơ sở dữ liệu quốc gia về xuất nhập cảnh; ${now.vi} nếu thu nhận mới`,
      en: `${on.en} when portrait and fingerprints are already in the immigration database; ${now.en} when they are captured now`,
    };
  }
  if (p === 'organisation_app' || p === 'organisation_counter') {
    const found = ruleText(deadlineRule(p, { organisationFound: true }));
    const manual = ruleText(deadlineRule(p, { organisationFound: false }));
    return {
      vi: `${found.vi} nếu có trong cơ sở dữ liệu quốc gia hoặc chuyên ngành; ${manual.vi} nếu phải xác minh thủ công`,
      en: `${found.en} when found in a national or sectoral database; ${manual.en} of manual verification otherwise`,
    };
  }
  return ruleText(deadlineRule(p));
}

function procedureDoc(p: Procedure): string {
  const info = PROCEDURE_INFO[p];
  const deadline = deadlineText(p);
  return [
    `# ${info.vi}`,
    '',
    `_${info.en}_`,
    '',
    `<!-- Generated from the transition table FLOWS['${p}'] in src/issuance/model.ts; src/issuance/flows.test.ts checks the diagram. -->`,
    '',
    `- Thủ tục / Procedure: \`${p}\``,
    `- Căn cứ / Legal basis: ${info.article}`,
    `- Đối tượng / Subject: ${SUBJECT[info.subjectKind].vi} / ${SUBJECT[info.subjectKind].en}`,
    `- Mức tài khoản / Account level: ${info.level === null ? 'không phân mức / no levels (Art 7.3)' : info.level}`,
    `- Hình thức / Channel: ${CHANNEL[info.channel].vi} / ${CHANNEL[info.channel].en}`,
    `- Thời hạn giải quyết / Deadline: ${deadline.vi}, kể từ khi nhận đủ hồ sơ hợp lệ / ${deadline.en}, from receipt of a complete dossier`,
    '',
    DESCRIPTION[p].vi,
    '',
    DESCRIPTION[p].en,
    '',
    '## Sơ đồ trạng thái / State diagram',
    '',
    'Each arrow: event (who fires it) — rule. / Mỗi mũi tên: sự kiện (người thực hiện) — quy tắc.',
    '',
    '```mermaid',
    mermaid(p),
    '```',
    '',
  ].join('\n');
}

/** The first ```mermaid block of a document. */
function diagramIn(markdown: string): string | null {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  return m ? m[1]! : null;
}

if (process.env.UPDATE_ISSUANCE_DOCS === '1') {
  mkdirSync(DOCS, { recursive: true });
  for (const p of PROCEDURES) writeFileSync(path.join(DOCS, `${p}.md`), procedureDoc(p));
}

describe('docs/issuance: one document per procedure, its diagram generated from the table', () => {
  test.each(PROCEDURES)('%s', (p) => {
    const doc = readFileSync(path.join(DOCS, `${p}.md`), 'utf8');
    expect(diagramIn(doc), `docs/issuance/${p}.md is out of date: regenerate it (see the top of flows.test.ts)`).toBe(
      mermaid(p),
    );
    expect(doc).toContain(PROCEDURE_INFO[p].article);
    expect(doc).toContain(`\`${p}\``);
    expect(doc).toContain(deadlineText(p).en);
  });

  test('the diagram lists every transition once and ends every terminal state', () => {
    for (const p of PROCEDURES) {
      const lines = mermaid(p).split('\n');
      expect(lines[0]).toBe('stateDiagram-v2');
      expect(lines.filter((l) => !l.endsWith('--> [*]'))).toHaveLength(FLOWS[p].length + 1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Soundness of the tables

function statesOf(p: Procedure): Set<ApplicationState> {
  const states = new Set<ApplicationState>();
  for (const x of FLOWS[p]) {
    if (x.from !== 'start') states.add(x.from);
    states.add(x.to);
  }
  return states;
}

function reachableFrom(p: Procedure, from: ApplicationState | 'start'): Set<ApplicationState> {
  const seen = new Set<ApplicationState>();
  const todo: (ApplicationState | 'start')[] = [from];
  while (todo.length > 0) {
    const at = todo.pop()!;
    for (const x of FLOWS[p].filter((y) => y.from === at)) {
      if (!seen.has(x.to)) {
        seen.add(x.to);
        todo.push(x.to);
      }
    }
  }
  return seen;
}

describe('every flow is sound', () => {
  test('the states are partitioned into open and terminal ones', () => {
    expect(OPEN_STATES.filter((s) => TERMINAL_STATES.includes(s))).toEqual([]);
  });

  test.each(PROCEDURES)('%s: every state is reachable from the submission', (p) => {
    const reachable = reachableFrom(p, 'start');
    for (const s of statesOf(p)) expect(reachable.has(s), `${s} is not reachable`).toBe(true);
  });

  test.each(PROCEDURES)('%s: every open state has a way out that ends the application', (p) => {
    for (const s of statesOf(p)) {
      expect([...OPEN_STATES, ...TERMINAL_STATES]).toContain(s);
      if (TERMINAL_STATES.includes(s)) {
        expect(eventsFrom(p, s), `terminal ${s} has transitions`).toEqual([]);
        continue;
      }
      expect(eventsFrom(p, s).length, `${s} has no way out`).toBeGreaterThan(0);
      const ends = [...reachableFrom(p, s)].filter((x) => TERMINAL_STATES.includes(x));
      expect(ends.length, `${s} never ends`).toBeGreaterThan(0);
      // A person can always end it: nobody waits on the system alone.
      expect(
        eventsFrom(p, s).some((x) => x.by !== 'system'),
        `${s} only moves on by itself`,
      ).toBe(true);
    }
  });

  test.each(PROCEDURES)('%s: one transition per state and event; roles agree with the service', (p) => {
    const info = PROCEDURE_INFO[p];
    const keys = FLOWS[p].filter((x) => x.from !== 'start').map((x) => `${x.from}:${x.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const x of FLOWS[p]) {
      if (x.from === 'start') {
        expect(x.event).toBe('submit');
        // Filed in the app by the subject, or received at a counter by a receiving officer.
        expect(x.by).toBe(info.channel === 'app' ? 'subject' : 'RECEIVER');
        continue;
      }
      expect(transitionFor(p, x.from, x.event)).toBe(x);
      // decide() checks RECEIVER for forward and APPROVER for every other officer event.
      if (x.event === 'forward') expect(x.by).toBe('RECEIVER');
      if (['approve', 'reject', 'refer_manual'].includes(x.event)) expect(x.by).toBe('APPROVER');
      if (x.event === 'approve') expect(x.to).toBe('approved');
      if (x.event === 'reject') expect(x.to).toBe('rejected');
      if (x.event === 'withdraw') expect([x.by, x.to]).toEqual(['subject', 'withdrawn']);
    }
    // Every procedure can end in an account, and can be refused.
    const outcomes = reachableFrom(p, 'start');
    expect(outcomes.has('approved')).toBe(true);
    expect(outcomes.has('rejected')).toBe(true);
  });

  test.each(PROCEDURES)('%s: a deadline and a notice catalogue entry', (p) => {
    const rule = deadlineRule(p);
    expect(rule.days).toBeGreaterThan(0);
    expect(PROCEDURE_INFO[p].notice).toMatch(/^eid_/);
  });

  test('the statutory deadlines (DOMAIN.md §5)', () => {
    expect(deadlineRule('citizen_l1_app')).toEqual({ days: 1, unit: 'working' });
    expect(deadlineRule('citizen_l2_counter')).toEqual({ days: 3, unit: 'working' });
    expect(deadlineRule('citizen_l2_with_card')).toEqual({ days: 7, unit: 'working' });
    expect(deadlineRule('foreigner_l1_app')).toEqual({ days: 1, unit: 'working' });
    expect(deadlineRule('foreigner_l2_counter', { biometricsOnRecord: true })).toEqual({ days: 3, unit: 'working' });
    expect(deadlineRule('foreigner_l2_counter', { biometricsOnRecord: false })).toEqual({ days: 7, unit: 'working' });
    expect(deadlineRule('organisation_counter', { organisationFound: true })).toEqual({ days: 3, unit: 'working' });
    expect(deadlineRule('organisation_counter', { organisationFound: false })).toEqual({ days: 15, unit: 'calendar' });
  });
});

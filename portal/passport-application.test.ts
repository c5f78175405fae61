import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from '../src/oidc/testing.ts';
import { useTestDatabase } from '../test/database.ts';
import { Browser, captchaOf, csrfOf, ssoSignIn, startPortalHarness, type PortalHarness } from './testing.ts';

/**
 * The online passport application end to end against the real platform: sign-in with the
 * national e-ID (level 2 required; a level-1 account is told how to upgrade), the catalogue, the
 * form pre-filled from the verified claims, uploads checked (a wrong type or an oversized file
 * gives a clear message and keeps the rest of the form), review with the confirmation code and the
 * declaration, submission, payment through the sandbox gateway (also by someone else through the
 * pay link), and processing by an immigration officer signed in through the platform, with the
 * deadline from the platform's working-day calendar and a notification at each step.
 */
const t = useTestDatabase();
let ph: PortalHarness;

beforeAll(async () => {
  ph = await startPortalHarness(t);
});
afterAll(async () => {
  await ph?.stop();
});

function image(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4, 0xee);
  return Buffer.from(jpeg.encode({ width, height, data }, 60).data);
}
const PORTRAIT = image(420, 620);
const CARD = image(640, 400);

function png(width: number, height: number): Buffer {
  const p = new PNG({ width, height });
  return PNG.sync.write(p);
}

/** Posts a multipart form with the browser's cookies (a file input per entry of `files`). */
async function postMultipart(
  browser: Browser,
  url: string,
  fields: Record<string, string>,
  files: { field: string; name: string; type: string; data: Buffer }[] = [],
): Promise<Page> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  const target = new URL(url);
  const response = await fetch(target, {
    method: 'POST',
    body: form,
    headers: { cookie: browser.jar.header(target) },
    redirect: 'manual',
  });
  browser.jar.store(response);
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) return browser.go(new URL(location, url).toString());
  return { url, status: response.status, html: await response.text(), response };
}

const FIELDS = {
  birth_place: 'Hà Nội',
  occupation: 'Kỹ sư phần mềm',
  contact_address: 'Số 8 phố Hàng Bài, phường Hoàn Kiếm, Thành phố Hà Nội',
  contact_phone: '0912345678',
  office: 'XNC-HNI',
  delivery: 'post',
  post_recipient: 'Nguyễn Văn An',
  post_phone: '0912345678',
  post_street: 'Số 8 phố Hàng Bài',
  post_ward: 'Phường Hoàn Kiếm',
  post_province: 'Thành phố Hà Nội',
};

async function citizenBrowser(): Promise<Browser> {
  const browser = new Browser();
  const page = await ssoSignIn(ph, browser, `${ph.portal.url}/auth/login?level=2&next=/ho-so`, {
    identifier: ph.h.demo.citizen!.identifier,
    password: ph.h.demo.citizen!.password,
    phone: '+84912345678',
  });
  expect(page.url).toBe(`${ph.portal.url}/ho-so`);
  return browser;
}

async function newDraft(browser: Browser): Promise<{ id: string; page: Page }> {
  const page = await browser.go(`${ph.portal.url}/dich-vu/XNC-HC-01/nop`);
  expect(page.status).toBe(200);
  const id = /\/ho-so\/([0-9a-f-]{36})$/.exec(page.url)?.[1];
  expect(id).toBeDefined();
  return { id: id!, page };
}

describe('who may apply', () => {
  test('someone not signed in is sent to sign in with the e-ID at level 2', async () => {
    const browser = new Browser([`${ph.h.baseUrl}/`]);
    const page = await browser.go(`${ph.portal.url}/dich-vu/XNC-HC-01/nop`);
    expect(page.url).toContain(`${ph.h.baseUrl}/oidc/auth`);
    expect(decodeURIComponent(page.url)).toContain('acr_values=urn:dinhdanh:loa:2');
  });

  test('a level-1 account cannot open the passport application and is told how to upgrade', async () => {
    const browser = new Browser();
    // Signed in at level 1 (the account's level); the passport page refuses and explains.
    let page = await ssoSignIn(ph, browser, `${ph.portal.url}/auth/login?level=1&next=/`, {
      identifier: ph.h.demo.spouse!.identifier,
      password: ph.h.demo.spouse!.password,
      phone: '+84987654321',
    });
    expect(page.url).toBe(`${ph.portal.url}/`);
    page = await browser.go(`${ph.portal.url}/dich-vu/XNC-HC-01/nop`);
    expect(page.status).toBe(403);
    expect(page.html).toContain('mức độ 2');
    expect(page.html).toContain('Công an cấp xã');
    expect(page.html).toContain('VNeID');
    const json = await fetch(`${ph.portal.url}/dich-vu/XNC-HC-01/nop`, {
      headers: { accept: 'application/json', cookie: browser.jar.header(new URL(ph.portal.url)) },
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ code: 'PORTAL_LEVEL_2_REQUIRED' });
    expect(await ph.portal.database.db.selectFrom('portal.dossiers').selectAll().execute()).toEqual([]);

    // Asking the platform for level 2 with a level-1 account: the provider refuses, the portal explains.
    page = await browser.go(`${ph.portal.url}/auth/login?level=2&next=/dich-vu/XNC-HC-01/nop`);
    if (page.html.includes('name="identifier"'))
      page = await ssoSignIn(ph, browser, page.url, {
        identifier: ph.h.demo.spouse!.identifier,
        password: ph.h.demo.spouse!.password,
        phone: '+84987654321',
      });
    expect(page.status).toBe(403);
    expect(page.html).toContain('Chưa đủ mức độ tài khoản');
  });
});

describe('the application form', () => {
  test('pre-filled from the e-ID: the claims are shown, not asked', async () => {
    const browser = await citizenBrowser();
    const { page } = await newDraft(browser);
    expect(page.html).toContain('Nguyễn Văn An');
    expect(page.html).toContain('001090048213');
    expect(page.html).not.toMatch(/name="(full_name|pin|birthdate)"/);
    expect(page.html).toContain('value="0912345678"');
    expect(page.html).toContain('lang="vi"');
  });

  test('a wrong file type or an oversized upload gives a clear error and keeps the rest of the form', async () => {
    const browser = await citizenBrowser();
    const { id, page } = await newDraft(browser);
    const csrf = csrfOf(page);
    const result = await postMultipart(
      browser,
      `${ph.portal.url}/ho-so/${id}/luu`,
      { _csrf: csrf, action: 'continue', ...FIELDS },
      [
        { field: 'portrait', name: 'chan-dung.png', type: 'image/jpeg', data: png(420, 620) },
        {
          field: 'id_front',
          name: 'truoc.jpg',
          type: 'image/jpeg',
          data: Buffer.concat([CARD, Buffer.alloc(2 * 1024 * 1024 + 10)]),
        },
        { field: 'id_back', name: 'sau.jpg', type: 'image/jpeg', data: CARD },
      ],
    );
    expect(result.status).toBe(422);
    expect(result.html).toContain(
      'Ảnh chân dung phải là ảnh định dạng JPEG (.jpg, .jpeg); tệp chan-dung.png là tệp PNG.',
    );
    expect(result.html).toMatch(
      /Ảnh mặt trước căn cước công dân: tệp truoc\.jpg có dung lượng 2 MB, vượt quá giới hạn 2 MB/,
    );
    expect(result.html).toContain('id="f-portrait-error"');
    // The typed values are all there, and so is the one good file.
    expect(result.html).toContain('value="Kỹ sư phần mềm"');
    expect(result.html).toContain('value="Số 8 phố Hàng Bài"');
    expect(result.html).toContain('sau.jpg');
    // A reload (the server-side draft) shows them too, without the errors.
    const reloaded = await browser.go(`${ph.portal.url}/ho-so/${id}`);
    expect(reloaded.status).toBe(200);
    expect(reloaded.html).toContain('value="Kỹ sư phần mềm"');
    expect(reloaded.html).toContain('<option value="XNC-HNI" selected>');
    expect(reloaded.html).not.toContain('f-portrait-error');

    // The JSON answer lists every field at fault with its message.
    const form = new FormData();
    form.append('_csrf', csrf);
    form.append('action', 'continue');
    form.append('delivery', 'post');
    form.append(
      'portrait',
      new Blob([new Uint8Array(Buffer.from('%PDF-1.7 not an image'))], { type: 'application/pdf' }),
      'don.pdf',
    );
    const response = await fetch(`${ph.portal.url}/ho-so/${id}/luu`, {
      method: 'POST',
      body: form,
      headers: { accept: 'application/json', cookie: browser.jar.header(new URL(ph.portal.url)) },
    });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; errors: { field: string; message: string }[] };
    expect(problem.code).toBe('PORTAL_VALIDATION');
    const byField = Object.fromEntries(problem.errors.map((x) => [x.field, x.message]));
    expect(byField.portrait).toContain('là tệp PDF');
    expect(byField.id_front).toBe('Vui lòng tải lên ảnh mặt trước căn cước công dân (tệp JPEG).');
    expect(byField.birth_place).toBe('Vui lòng chọn nơi sinh.');
    expect(byField.post_street).toBe('Vui lòng nhập số nhà, đường, thôn/xóm.');
    expect(Object.keys(byField)).not.toContain('id_back');
  });

  test('dimensions and orientation are checked', async () => {
    const browser = await citizenBrowser();
    const { id, page } = await newDraft(browser);
    const result = await postMultipart(
      browser,
      `${ph.portal.url}/ho-so/${id}/luu`,
      { _csrf: csrfOf(page), action: 'save' },
      [
        { field: 'portrait', name: 'nho.jpg', type: 'image/jpeg', data: image(200, 300) },
        { field: 'id_front', name: 'doc.jpg', type: 'image/jpeg', data: image(700, 900) },
      ],
    );
    expect(result.status).toBe(422);
    expect(result.html).toContain('ảnh đã chọn là 200 × 300');
    expect(result.html).toContain('phải là ảnh ngang');
  });
});

describe('apply, pay, process', () => {
  test('a level-2 citizen applies, pays, and follows the dossier to delivery', async () => {
    const browser = await citizenBrowser();
    const search = await browser.go(`${ph.portal.url}/dich-vu?q=ho+chieu`);
    expect(search.html).toContain('Cấp hộ chiếu phổ thông không gắn chíp điện tử ở trong nước (lần đầu)');
    const { id, page } = await newDraft(browser);
    let result = await postMultipart(
      browser,
      `${ph.portal.url}/ho-so/${id}/luu`,
      { _csrf: csrfOf(page), action: 'continue', ...FIELDS },
      [
        { field: 'portrait', name: 'chan-dung.jpg', type: 'image/jpeg', data: PORTRAIT },
        { field: 'id_front', name: 'truoc.jpg', type: 'image/jpeg', data: CARD },
        { field: 'id_back', name: 'sau.jpg', type: 'image/jpeg', data: CARD },
      ],
    );
    expect(result.url).toBe(`${ph.portal.url}/ho-so/${id}/xem-lai`);
    expect(result.html).toContain('Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên');

    // Without the declaration ticked, nothing is submitted.
    const reviewQ = await browser.go(`${ph.portal.url}/ho-so/${id}/xem-lai?captcha=question`);
    result = await browser.go(`${ph.portal.url}/ho-so/${id}/nop`, {
      form: { _csrf: csrfOf(reviewQ), ...captchaOf(reviewQ), version: '' },
    });
    expect(result.status).toBe(422);
    expect(result.html).toContain('Vui lòng đánh dấu');
    let dossier = await ph.portal.database.db
      .selectFrom('portal.dossiers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(dossier.state).toBe('draft');

    const review = await browser.go(`${ph.portal.url}/ho-so/${id}/xem-lai?captcha=question`);
    result = await browser.go(`${ph.portal.url}/ho-so/${id}/nop`, {
      form: { _csrf: csrfOf(review), ...captchaOf(review), declaration: 'yes' },
    });
    expect(result.url).toBe(`${ph.portal.url}/ho-so/${id}/thanh-toan?nop=1`);
    dossier = await ph.portal.database.db
      .selectFrom('portal.dossiers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(dossier.state).toBe('awaiting_payment');
    expect(dossier.number).toMatch(/^HC-\d{8}-\d{6}$/);
    expect(result.html).toContain(dossier.number!);
    expect(result.html).toMatch(/<img src="data:image\/png;base64,[^"]+" width="240"/);
    const payment = await ph.portal.database.db
      .selectFrom('portal.payments')
      .selectAll()
      .where('dossier_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(payment.qr_payload).toMatch(/^000201010212/);
    expect(payment.qr_payload).toContain('A000000727');
    expect(payment.qr_payload).toContain('200000');

    // Unpaid: not in the officers' queue, and an officer cannot receive it.
    const officer = new Browser();
    const officerDemo = Object.values(ph.h.demo).find((d) => d.label === 'officer-receiver-hoankiem')!;
    const account = await ph.h.kit.identity.get(officerDemo.accountId);
    let queue = await ssoSignIn(ph, officer, `${ph.portal.url}/auth/officer`, {
      identifier: officerDemo.identifier,
      password: officerDemo.password,
      phone: account!.phone ? account!.phone.replace(/^0/, '+84') : null,
    });
    expect(queue.url).toBe(`${ph.portal.url}/backoffice`);
    expect(queue.html).not.toContain(dossier.number!);
    const early = await officer.go(`${ph.portal.url}/backoffice/ho-so/${id}/receive`, {
      form: { _csrf: csrfOf(queue) },
    });
    expect(early.status).toBe(409);
    expect(early.html).toContain('PORTAL_UNPAID');

    // Pay through the sandbox gateway: its signed notification moves the dossier on.
    const payPage = await browser.go(`${ph.portal.url}/ho-so/${id}/thanh-toan`);
    result = await browser.go(`${ph.portal.url}/ho-so/${id}/thanh-toan/sandbox`, { form: { _csrf: csrfOf(payPage) } });
    expect(result.html).toContain('Đã nộp lệ phí, chờ tiếp nhận');

    queue = await officer.go(`${ph.portal.url}/backoffice`);
    expect(queue.html).toContain(dossier.number!);
    let detail = await officer.go(`${ph.portal.url}/backoffice/ho-so/${id}`);
    expect(detail.html).toContain('Kỹ sư phần mềm');
    const act = async (event: string, reason?: string) => {
      const page = await officer.go(`${ph.portal.url}/backoffice/ho-so/${id}`);
      return officer.go(`${ph.portal.url}/backoffice/ho-so/${id}/${event}`, {
        form: { _csrf: csrfOf(page), ...(reason ? { reason } : {}) },
      });
    };
    detail = await act('receive');
    expect(detail.html).toContain('Đã tiếp nhận, đang xử lý');
    dossier = await ph.portal.database.db
      .selectFrom('portal.dossiers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // The deadline is the platform calendar's: 8 working days from receipt.
    const expected = await fetch(
      `${ph.h.baseUrl}/api/calendar/working-days/add?from=${encodeURIComponent(new Date().toISOString())}&days=8`,
    ).then((r) => r.json() as Promise<{ deadline_local: string }>);
    expect(dossier.deadline_local).toBe(expected.deadline_local);

    // Additions need reasons; the applicant supplements and the dossier comes back.
    detail = await act('request_additions');
    expect(detail.status).toBe(422);
    detail = await act('request_additions', 'Ảnh chân dung chưa đúng nền trắng, đề nghị bổ sung ảnh khác.');
    expect(detail.html).toContain('Yêu cầu bổ sung hồ sơ');
    const statusPage = await browser.go(`${ph.portal.url}/ho-so/${id}`);
    expect(statusPage.html).toContain('Ảnh chân dung chưa đúng nền trắng');
    result = await postMultipart(
      browser,
      `${ph.portal.url}/ho-so/${id}/bo-sung`,
      { _csrf: csrfOf(statusPage), note: 'Bổ sung ảnh chân dung nền trắng.' },
      [{ field: 'attachment', name: 'anh-moi.jpg', type: 'image/jpeg', data: PORTRAIT }],
    );
    expect(result.html).toContain('Đã tiếp nhận, đang xử lý');

    for (const [event, reason] of [['approve'], ['produce', 'C1234567'], ['deliver', 'Vận đơn EMS EE123456789VN']] as [
      string,
      string?,
    ][]) {
      detail = await act(event, reason);
      expect(detail.status, event).toBe(200);
    }
    const final = await browser.go(`${ph.portal.url}/ho-so/${id}`);
    expect(final.html).toContain('Đã trả kết quả');
    expect(final.html).toContain('EE123456789VN');

    // A notification at each step, in the portal and by SMS to the contact phone.
    const notices = await browser.go(`${ph.portal.url}/thong-bao`);
    for (const text of [
      'đã được nộp',
      'đã được nộp lệ phí',
      'đã được tiếp nhận',
      'cần bổ sung',
      'đã được duyệt',
      'đã được in',
      'đã trả kết quả',
    ]) {
      expect(notices.html).toContain(text);
    }
    await ph.portal.flushSms();
    const sms = ph.h.smsc.messages().filter((m) => m.destination === '84912345678' && m.text.startsWith('DVCQG:'));
    expect(sms.length).toBeGreaterThanOrEqual(8);
  });

  test('someone else pays through the shareable link, without signing in', async () => {
    const browser = await citizenBrowser();
    const { id, page } = await newDraft(browser);
    await postMultipart(
      browser,
      `${ph.portal.url}/ho-so/${id}/luu`,
      { _csrf: csrfOf(page), action: 'save', ...FIELDS, delivery: 'in_person' },
      [
        { field: 'portrait', name: 'p.jpg', type: 'image/jpeg', data: PORTRAIT },
        { field: 'id_front', name: 'f.jpg', type: 'image/jpeg', data: CARD },
        { field: 'id_back', name: 'b.jpg', type: 'image/jpeg', data: CARD },
      ],
    );
    const review = await browser.go(`${ph.portal.url}/ho-so/${id}/xem-lai?captcha=question`);
    let result = await browser.go(`${ph.portal.url}/ho-so/${id}/nop`, {
      form: { _csrf: csrfOf(review), ...captchaOf(review), declaration: 'yes' },
    });
    result = await browser.go(`${ph.portal.url}/ho-so/${id}/thanh-toan/lien-ket`, { form: { _csrf: csrfOf(result) } });
    const link = /id="paylink" readonly value="([^"]+)"/.exec(result.html)?.[1];
    expect(link).toMatch(new RegExp(`^${ph.portal.url}/thanh-toan/[A-Za-z0-9_-]{32}$`));

    const payer = new Browser();
    let payPage = await payer.go(link!);
    expect(payPage.status).toBe(200);
    expect(payPage.html).toContain('200.000');
    expect(payPage.html).not.toContain('001090048213');
    payPage = await payer.go(`${link}/sandbox`, { form: { _csrf: csrfOf(payPage) } });
    expect(payPage.html).toContain('Đã thanh toán');
    const dossier = await ph.portal.database.db
      .selectFrom('portal.dossiers')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(dossier.state).toBe('paid');

    // A guessed or replaced link pays nothing.
    expect((await new Browser().go(`${ph.portal.url}/thanh-toan/${'A'.repeat(32)}`)).status).toBe(404);
  });
});

describe('signing out', () => {
  test('logging out at the platform ends the portal session too (back-channel logout)', async () => {
    const browser = await citizenBrowser();
    expect((await browser.go(`${ph.portal.url}/ho-so`)).url).toBe(`${ph.portal.url}/ho-so`);
    const confirm = await browser.go(`${ph.h.baseUrl}/oidc/session/end`);
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)">/.exec(confirm.html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    await browser.go(new URL(action, ph.h.baseUrl).toString(), { form: { xsrf, logout: 'yes' } });
    let page = await browser.go(`${ph.portal.url}/ho-so`);
    for (let i = 0; i < 20 && page.url.endsWith('/ho-so'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await browser.go(`${ph.portal.url}/ho-so`);
    }
    expect(page.url).toContain('/dang-nhap');
  });

  test('a forged logout token is refused and ends nothing', async () => {
    const browser = await citizenBrowser();
    const response = await fetch(`${ph.portal.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.' }).toString(),
    });
    expect(response.status).toBe(400);
    expect((await browser.go(`${ph.portal.url}/ho-so`)).url).toBe(`${ph.portal.url}/ho-so`);
  });
});

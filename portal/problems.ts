import { defineProblems } from '../src/platform/errors.ts';

/**
 * The portal's problems (RFC 9457 problem+json with a stable code, Vietnamese by default, English
 * with `Accept-Language: en`), rendered by the portal's own server. Codes start with PORTAL_ or
 * name the portal's own flows, so they never clash with the platform's catalogue.
 */
export const portalProblem = defineProblems({
  PORTAL_VALIDATION: {
    status: 422,
    vi: 'Thông tin chưa hợp lệ: vui lòng sửa các trường được đánh dấu.',
    en: 'Some information is not valid: correct the fields marked.',
  },
  PORTAL_SIGN_IN_REQUIRED: {
    status: 401,
    vi: 'Vui lòng đăng nhập để tiếp tục.',
    en: 'Sign in to continue.',
  },
  PORTAL_LEVEL_2_REQUIRED: {
    status: 403,
    vi: 'Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2.',
    en: 'This service needs a level-2 electronic identity account.',
  },
  PORTAL_OFFICER_ONLY: {
    status: 403,
    vi: 'Chỉ cán bộ quản lý xuất nhập cảnh được truy cập trang này.',
    en: 'Only immigration officers may open this page.',
  },
  PORTAL_CSRF: {
    status: 403,
    vi: 'Phiên làm việc đã thay đổi hoặc biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.',
    en: 'The session changed or the form has expired. Reload the page and try again.',
  },
  PORTAL_NOT_FOUND: { status: 404, vi: 'Không tìm thấy {what}.', en: '{what} was not found.' },
  PORTAL_CONFLICT: {
    status: 409,
    vi: 'Hồ sơ đã thay đổi trạng thái ({state}); thao tác "{event}" không còn thực hiện được.',
    en: 'The dossier has moved on ({state}); "{event}" cannot be done now.',
  },
  PORTAL_UNPAID: {
    status: 409,
    vi: 'Hồ sơ chưa nộp lệ phí: hồ sơ chỉ được xử lý sau khi thanh toán.',
    en: 'The fee is not paid: the dossier is processed only once it is paid.',
  },
  PORTAL_PAYLOAD_TOO_LARGE: {
    status: 413,
    vi: 'Dữ liệu gửi lên quá lớn (tối đa {max}). Hãy tải lên từng tệp nhỏ hơn.',
    en: 'What was sent is too large (at most {max}). Upload smaller files.',
  },
  OTP_TOO_SOON: {
    status: 429,
    vi: 'Mã OTP vừa được gửi. Vui lòng đợi {retryAfter} giây trước khi yêu cầu mã mới.',
    en: 'A code was just sent. Wait {retryAfter} seconds before asking for a new one.',
  },
  OTP_SEND_LIMIT: {
    status: 429,
    vi: 'Số điện thoại này đã nhận quá nhiều mã OTP. Vui lòng thử lại sau một giờ.',
    en: 'This phone has received too many codes. Try again in an hour.',
  },
  OTP_EXPIRED: {
    status: 400,
    vi: 'Mã OTP đã hết hạn hoặc đã được sử dụng. Vui lòng yêu cầu mã mới.',
    en: 'The code has expired or was already used. Ask for a new one.',
  },
  OTP_WRONG: {
    status: 400,
    vi: 'Mã OTP không đúng. Bạn còn {left} lần thử.',
    en: 'The code is wrong. {left} attempts left.',
  },
  OTP_LOCKED: {
    status: 429,
    vi: 'Nhập sai mã OTP quá số lần cho phép. Vui lòng yêu cầu mã mới.',
    en: 'Too many wrong codes. Ask for a new one.',
  },
  PORTAL_LOGIN_FAILED: {
    status: 401,
    vi: 'Tên đăng nhập hoặc mật khẩu không đúng.',
    en: 'The user name or the password is wrong.',
  },
  PORTAL_LOGIN_LOCKED: {
    status: 429,
    vi: 'Tài khoản tạm khóa đăng nhập do nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút.',
    en: 'Sign-in is paused after too many failures. Try again in {minutes} minutes.',
  },
  PAYMENT_SIGNATURE_INVALID: {
    status: 401,
    vi: 'Chữ ký của thông báo thanh toán không hợp lệ.',
    en: 'The payment notification’s signature is not valid.',
  },
  PAYMENT_CALLBACK_STALE: {
    status: 401,
    vi: 'Thông báo thanh toán đã quá thời hạn chấp nhận (phát lại?).',
    en: 'The payment notification is outside the accepted window (a replay?).',
  },
  PAYMENT_CALLBACK_INVALID: {
    status: 400,
    vi: 'Thông báo thanh toán không hợp lệ: {reason}',
    en: 'The payment notification is not valid: {reason}',
  },
});

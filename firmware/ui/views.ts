// Every screen of the card, drawn into the 200x200 1-bit framebuffer. Pure
// layout: no Node, no Moddable, no core; the device pushes the result to the
// e-paper panel, the simulator decodes it (the QR view with a real QR reader).
//
// renderView never throws: a view it cannot draw (a QR code too large for
// 4-pixel modules, an amount that is not a safe integer) is drawn as an error
// screen with the numbered code from docs/protocol.md instead.
import { type Framebuffer, SCREEN_HEIGHT, SCREEN_WIDTH } from './framebuffer.js';
import { charsThatFit, drawCentered, drawText, textHeight, textWidth, wrapText } from './font.js';
import { currencyExponent, errorText, formatAmount, formatMoney } from './format.js';
import { type QrMatrix, drawQr, qrScale, qrSide } from './qr.js';

export interface HomeView {
  kind: 'home';
  /** Card name shown in the title bar. */
  title: string;
  /** Spendable amount left on the card, when provisioned. */
  available?: { amount: number; currency: string };
  provisioned: boolean;
  menu: string[];
  selected: number;
  hint?: string;
}

/** Amount entry: `digits` are the minor-unit digits, most significant first; `cursor` indexes them. */
export interface AmountView {
  kind: 'amount';
  title: string;
  digits: string;
  cursor: number;
  /** Shown under the digits; also picks the decimal places unless `decimals` says. */
  currency: string;
  /** Digits after the decimal point (a PIN: 0). */
  decimals?: number;
  /** Show digits before the cursor as '*' (PIN entry). */
  mask?: boolean;
  hint?: string;
}

/** The payee's offer: the pairing QR code (a tally: deep link) and what it asks. */
export interface OfferView {
  kind: 'offer';
  qr: QrMatrix;
  amount?: number;
  currency?: string;
  caption?: string;
}

/** The payer's confirmation: amount, and for tap pairing the 4-digit code both screens show. */
export interface ConfirmView {
  kind: 'confirm';
  amount: number;
  currency: string;
  code?: string;
  counterparty?: string;
  secondsLeft?: number;
  hint?: string;
}

export interface ProgressView {
  kind: 'progress';
  title: string;
  text: string;
  /** 0..steps, drawn as a bar when steps > 0. */
  step?: number;
  steps?: number;
  hint?: string;
}

export interface ResultView {
  kind: 'result';
  ok: boolean;
  title: string;
  amount?: number;
  currency?: string;
  text?: string;
  hint?: string;
}

export interface HistoryEntry {
  direction: 'in' | 'out';
  amount: number;
  currency: string;
  seq: number;
}

export interface HistoryView {
  kind: 'history';
  entries: HistoryEntry[];
  page: number;
  pages: number;
  hint?: string;
}

export interface ErrorView {
  kind: 'error';
  code: number;
  message: string;
  hint?: string;
}

export interface MessageView {
  kind: 'message';
  title: string;
  lines: string[];
  hint?: string;
}

export type View = HomeView | AmountView | OfferView | ConfirmView | ProgressView | ResultView | HistoryView | ErrorView | MessageView;

const W = SCREEN_WIDTH;
const H = SCREEN_HEIGHT;
const MARGIN = 4;
const HEADER_H = 20;
const FOOTER_Y = H - 9;
/** History rows on one page. */
export const HISTORY_PAGE_SIZE = 7;

/** Largest scale (<= max) at which `text` fits `width` pixels; at least 1. */
export function fitScale(text: string, width: number, max = 4): number {
  for (let s = max; s > 1; s--) if (textWidth(text, s) <= width) return s;
  return 1;
}

/** Draws `view` into `fb` (cleared first). */
export function renderView(fb: Framebuffer, view: View): void {
  fb.clear();
  const problem = check(view);
  if (problem) {
    drawError(fb, { kind: 'error', code: problem.code, message: problem.message });
    return;
  }
  switch (view.kind) {
    case 'home':
      return drawHome(fb, view);
    case 'amount':
      return drawAmount(fb, view);
    case 'offer':
      return drawOffer(fb, view);
    case 'confirm':
      return drawConfirm(fb, view);
    case 'progress':
      return drawProgress(fb, view);
    case 'result':
      return drawResult(fb, view);
    case 'history':
      return drawHistory(fb, view);
    case 'error':
      return drawError(fb, view);
    case 'message':
      return drawMessage(fb, view);
  }
}

/** Why a view cannot be drawn as asked, as a code from the protocol error table. */
function check(view: View): { code: number; message: string } | null {
  const money = (amount: number | undefined, currency: string | undefined): boolean =>
    amount === undefined || (Number.isSafeInteger(amount) && typeof currency === 'string');
  switch (view.kind) {
    case 'offer':
      if (!view.qr || !Number.isInteger(view.qr.size) || qrScale(view.qr.size, W) === 0) {
        return { code: 1001, message: 'the payment QR code is too large for this screen' };
      }
      return money(view.amount, view.currency) ? null : { code: 9001, message: 'offer amount' };
    case 'confirm':
      return money(view.amount, view.currency) ? null : { code: 9001, message: 'confirm amount' };
    case 'result':
      return money(view.amount, view.currency) ? null : { code: 9001, message: 'result amount' };
    case 'home':
      return !view.available || money(view.available.amount, view.available.currency) ? null : { code: 9001, message: 'home amount' };
    case 'amount':
      return /^[0-9]{1,12}$/.test(view.digits) &&
        Number.isInteger(view.cursor) &&
        view.cursor >= 0 &&
        view.cursor < view.digits.length &&
        (view.decimals === undefined || (Number.isInteger(view.decimals) && view.decimals >= 0 && view.decimals < view.digits.length))
        ? null
        : { code: 9001, message: 'amount digits' };
    case 'history':
      return view.entries.every((e) => money(e.amount, e.currency)) ? null : { code: 9001, message: 'history amount' };
    default:
      return null;
  }
}

function header(fb: Framebuffer, title: string): void {
  fb.fillRect(0, 0, W, HEADER_H, true);
  const maxChars = charsThatFit(W - 2 * MARGIN, 2);
  const t = title.length > maxChars ? title.slice(0, maxChars) : title;
  drawText(fb, t, MARGIN, 3, 2, false);
}

function footer(fb: Framebuffer, hint: string | undefined): void {
  if (!hint) return;
  const max = charsThatFit(W - 2 * MARGIN, 1);
  drawCentered(fb, hint.length > max ? hint.slice(0, max) : hint, 0, W, FOOTER_Y, 1);
}

/** A line of text at the largest scale (<= max) that fits, centred; returns its height. */
function bigLine(fb: Framebuffer, text: string, y: number, max: number): number {
  const s = fitScale(text, W - 2 * MARGIN, max);
  const t = textWidth(text, s) <= W - 2 * MARGIN ? text : text.slice(0, charsThatFit(W - 2 * MARGIN, s));
  drawCentered(fb, t, 0, W, y, s);
  return textHeight(s);
}

/** Wrapped paragraph between y and maxY at scale 2 if it fits there, else scale 1. */
function paragraph(fb: Framebuffer, text: string, y: number, maxY: number): void {
  for (const scale of [2, 1]) {
    const perLine = charsThatFit(W - 2 * MARGIN, scale);
    const lineH = textHeight(scale) + scale * 2;
    const maxLines = Math.max(1, Math.floor((maxY - y + scale * 2) / lineH));
    const lines = wrapText(text, perLine);
    if (lines.length <= maxLines || scale === 1) {
      const shown = lines.length <= maxLines ? lines : wrapText(text, perLine, maxLines);
      shown.forEach((line, i) => drawCentered(fb, line, 0, W, y + i * lineH, scale));
      return;
    }
  }
}

function drawHome(fb: Framebuffer, v: HomeView): void {
  header(fb, v.title);
  let y = HEADER_H + 8;
  if (v.provisioned && v.available) {
    drawCentered(fb, 'Available', 0, W, y, 1);
    y += 12;
    y += bigLine(fb, formatAmount(v.available.amount, v.available.currency), y, 4) + 4;
    drawCentered(fb, v.available.currency, 0, W, y, 2);
    y += 20;
  } else if (!v.provisioned) {
    paragraph(fb, 'Not set up yet: plug in USB and run tally bridge provision', y, y + 40);
    y += 48;
  }
  const rowH = 20;
  const rows = Math.max(0, Math.floor((FOOTER_Y - 4 - y) / rowH));
  const first = Math.max(0, Math.min(v.selected - rows + 1, v.menu.length - rows));
  for (let i = 0; i < rows && first + i < v.menu.length; i++) {
    const item = first + i;
    const ry = y + i * rowH;
    const label = v.menu[item]!.slice(0, charsThatFit(W - 2 * MARGIN - 12, 2));
    drawText(fb, label, MARGIN + 12, ry + 3, 2);
    if (item === v.selected) fb.invertRect(MARGIN, ry, W - 2 * MARGIN, rowH - 1);
  }
  footer(fb, v.hint);
}

function drawAmount(fb: Framebuffer, v: AmountView): void {
  header(fb, v.title);
  const exp = v.decimals ?? currencyExponent(v.currency);
  // Digits with the decimal point; remember where each digit lands.
  let text = '';
  const at: number[] = [];
  for (let i = 0; i < v.digits.length; i++) {
    if (exp > 0 && i === v.digits.length - exp) text += '.';
    at.push(text.length);
    text += v.mask && i < v.cursor ? '*' : v.digits[i];
  }
  const scale = fitScale(text, W - 2 * MARGIN, 4);
  const x0 = Math.floor((W - textWidth(text, scale)) / 2);
  const y = 60;
  drawText(fb, text, x0, y, scale);
  // Cursor: a bar under the digit being edited.
  const cx = x0 + at[v.cursor]! * 6 * scale;
  fb.fillRect(cx - 1, y + textHeight(scale) + 3, 5 * scale + 2, 3, true);
  drawCentered(fb, v.currency, 0, W, y + textHeight(scale) + 14, 2);
  footer(fb, v.hint);
}

function drawOffer(fb: Framebuffer, v: OfferView): void {
  const caption = v.caption ?? (v.amount !== undefined && v.currency ? formatMoney(v.amount, v.currency) : undefined);
  // A caption needs CAPTION_H pixels under the code; the code never shrinks below
  // 4-pixel modules for it (a long offer fills the screen and goes without).
  const CAPTION_H = 16;
  const withCaption = caption !== undefined ? qrScale(v.qr.size, H - CAPTION_H) : 0;
  const scale = withCaption > 0 ? withCaption : qrScale(v.qr.size, W);
  const side = qrSide(v.qr.size, scale);
  const x = Math.floor((W - side) / 2);
  const y = withCaption > 0 ? Math.floor((H - CAPTION_H - side) / 2) : Math.floor((H - side) / 2);
  drawQr(fb, v.qr, x, y, scale);
  if (withCaption > 0) {
    const text = caption!.slice(0, charsThatFit(W - 2 * MARGIN, 1));
    drawCentered(fb, text, 0, W, y + side + 4, 1);
  }
}

function drawConfirm(fb: Framebuffer, v: ConfirmView): void {
  header(fb, 'Pay?');
  let y = HEADER_H + 10;
  y += bigLine(fb, formatAmount(v.amount, v.currency), y, 4) + 4;
  drawCentered(fb, v.currency, 0, W, y, 2);
  y += 22;
  if (v.code) {
    drawCentered(fb, 'Same code on both cards?', 0, W, y, 1);
    y += 12;
    y += bigLine(fb, v.code, y, 4) + 6;
  }
  if (v.counterparty) {
    drawCentered(fb, `to ${v.counterparty}`.slice(0, charsThatFit(W - 2 * MARGIN, 1)), 0, W, y, 1);
    y += 10;
  }
  if (v.secondsLeft !== undefined && v.secondsLeft >= 0) {
    drawCentered(fb, `${Math.floor(v.secondsLeft)} s`, 0, W, Math.min(y, FOOTER_Y - 12), 1);
  }
  footer(fb, v.hint ?? 'Press: pay   Hold: cancel');
}

function drawProgress(fb: Framebuffer, v: ProgressView): void {
  header(fb, v.title);
  paragraph(fb, v.text, HEADER_H + 24, 140);
  if (v.steps && v.steps > 0) {
    const step = Math.max(0, Math.min(v.steps, v.step ?? 0));
    const bx = 20;
    const bw = W - 40;
    fb.frameRect(bx, 150, bw, 14, 2);
    fb.fillRect(bx + 3, 153, Math.floor(((bw - 6) * step) / v.steps), 8, true);
  }
  footer(fb, v.hint);
}

/** A tick or a cross, 40 pixels square, drawn with thick strokes. */
function resultMark(fb: Framebuffer, ok: boolean, cx: number, top: number): void {
  const s = 40;
  const x0 = cx - s / 2;
  const dot = (x: number, y: number): void => fb.fillRect(Math.round(x) - 2, Math.round(y) - 2, 5, 5, true);
  if (ok) {
    for (let t = 0; t <= 1; t += 1 / 24) dot(x0 + 4 + t * 12, top + 22 + t * 12);
    for (let t = 0; t <= 1; t += 1 / 40) dot(x0 + 16 + t * 20, top + 34 - t * 28);
  } else {
    for (let t = 0; t <= 1; t += 1 / 40) {
      dot(x0 + 6 + t * 28, top + 6 + t * 28);
      dot(x0 + 34 - t * 28, top + 6 + t * 28);
    }
  }
}

function drawResult(fb: Framebuffer, v: ResultView): void {
  header(fb, v.title);
  resultMark(fb, v.ok, W / 2, HEADER_H + 8);
  let y = HEADER_H + 58;
  if (v.amount !== undefined && v.currency) {
    y += bigLine(fb, formatMoney(v.amount, v.currency), y, 3) + 8;
  }
  if (v.text) paragraph(fb, v.text, y, FOOTER_Y - 4);
  footer(fb, v.hint);
}

function drawHistory(fb: Framebuffer, v: HistoryView): void {
  header(fb, v.pages > 1 ? `History ${v.page + 1}/${v.pages}` : 'History');
  if (v.entries.length === 0) {
    drawCentered(fb, 'No payments yet', 0, W, 90, 2);
  }
  const rowH = 22;
  v.entries.slice(0, HISTORY_PAGE_SIZE).forEach((e, i) => {
    const y = HEADER_H + 6 + i * rowH;
    const sign = e.direction === 'in' ? '+' : '-';
    const money = `${sign}${formatMoney(e.amount, e.currency)}`;
    const scale = fitScale(money, W - 2 * MARGIN - 30, 2);
    drawText(fb, money.slice(0, charsThatFit(W - 2 * MARGIN - 30, scale)), MARGIN, y + (scale === 2 ? 0 : 4), scale);
    const seq = `#${e.seq}`;
    drawText(fb, seq.slice(0, 5), W - MARGIN - textWidth(seq.slice(0, 5), 1), y + 4, 1);
  });
  footer(fb, v.hint);
}

function drawError(fb: Framebuffer, v: ErrorView): void {
  header(fb, 'Error');
  bigLine(fb, `E${v.code}`, HEADER_H + 10, 4);
  paragraph(fb, errorText(v.message), HEADER_H + 48, FOOTER_Y - 4);
  footer(fb, v.hint);
}

function drawMessage(fb: Framebuffer, v: MessageView): void {
  header(fb, v.title);
  paragraph(fb, v.lines.join(' '), HEADER_H + 14, FOOTER_Y - 4);
  footer(fb, v.hint);
}

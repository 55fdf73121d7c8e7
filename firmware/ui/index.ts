// The screen-layout code shared by the card firmware and the desktop simulator.
export { Framebuffer, SCREEN_WIDTH, SCREEN_HEIGHT } from './framebuffer.js';
export type { Rect } from './framebuffer.js';
export { drawText, drawCentered, textWidth, textHeight, wrapText, charsThatFit, glyphRows, GLYPH_WIDTH, GLYPH_HEIGHT, ADVANCE } from './font.js';
export { drawQr, matrixFromModules, qrScale, qrSide, QUIET_MODULES, MIN_MODULE_PIXELS } from './qr.js';
export type { QrMatrix } from './qr.js';
export { currencyExponent, errorText, formatAmount, formatMoney } from './format.js';
export { renderView, fitScale, HISTORY_PAGE_SIZE } from './views.js';
export type {
  View,
  HomeView,
  AmountView,
  OfferView,
  ConfirmView,
  ProgressView,
  ResultView,
  HistoryView,
  HistoryEntry,
  ErrorView,
  MessageView,
} from './views.js';
export { RefreshPolicy } from './refresh.js';
export type { RefreshPlan, RefreshKind, RefreshOptions } from './refresh.js';
export { PanelScreen } from './panel-screen.js';
export type { Panel, PanelScreenOptions } from './panel-screen.js';

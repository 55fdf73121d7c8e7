// The scenario report as text for people (`tally sim`); `--json` prints the
// Report object itself.
import type { Report } from './scenario.js';

const money = (minor: number): string => `${(minor / 100).toFixed(2)} EUR`;
const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');
const n = (x: number | null, unit = ''): string => (x === null ? '-' : `${x}${unit}`);
const M = (x: number | null): string => (x === null ? '-' : `${(x / 1e6).toFixed(2)} M`);

export function formatReport(r: Report): string {
  const L: string[] = [];
  const p = r.payments;
  L.push(`Tally simulation: seed ${r.seed}, ${r.cards} cards on ${r.engine.toUpperCase()}, ${r.simulatedHours} simulated hours`);
  const f = r.faults;
  L.push(`faults: power-cut ${f.powerCut}, radio-loss ${f.radioLoss}, disconnect ${f.disconnect}; clones ${r.clones}; sync every ${r.syncEveryHours} h`);
  L.push('');
  L.push(`payments   attempted ${p.attempted}, completed ${p.completed} (${pct(p.completed, p.attempted)}), failed ${p.failed}`);
  L.push(`           ${p.sessions} sessions; ${p.retried} completed on a retry; ${p.inFlight} failed after the debit (settled from the payer's half at sync)`);
  L.push(`           QR ${p.qr.completed}/${p.qr.attempted} (${p.qr.decodedFromPixels} scans decoded from the payee's screen pixels), tap ${p.tap.completed}/${p.tap.attempted} (same code on both screens in ${p.tap.codesMatched} sessions)`);
  for (const [why, k] of Object.entries(p.failedByReason).sort((a, b) => b[1] - a[1])) L.push(`           failed: ${k} x ${why}`);
  L.push(`latency    tap to done p50 ${n(r.latencyMs.p50, ' ms')}, p95 ${n(r.latencyMs.p95, ' ms')}, p99 ${n(r.latencyMs.p99, ' ms')} (card compute ${r.latencyMs.computeShare === null ? '-' : Math.round(100 * r.latencyMs.computeShare) + ' %'})`);
  const c = r.compute.computronsPerPayment;
  L.push(`compute    per payment: payer ${M(c.payer.p50)}, payee ${M(c.payee.p50)} computrons (p50; ${r.engine === 'xs' ? 'metered in XS' : 'modelled'}), ESP32 at ${r.compute.computronsPerMs / 1000} k/ms`);
  if (r.xs) L.push(`XS         computrons per payment (metered): total mean ${M(r.xs.computronsPerPayment.total.mean)}, p50 ${M(r.xs.computronsPerPayment.total.p50)}`);
  L.push(`radio      ${r.radio.connections} connections, ${r.radio.packets} GATT values, ${r.radio.lost} lost, ${r.radio.drops} links dropped, mean MTU ${n(r.radio.meanMtu)}`);
  L.push(`syncs      ${r.syncs.count} through the bridge, ${r.syncs.records} records uploaded, ${r.syncs.usbSeconds} s on the USB line`);
  for (const [why, k] of Object.entries(r.syncs.failedByReason)) L.push(`           sync refused: ${k} x ${why}`);
  L.push('');
  const fr = r.frauds;
  L.push(`frauds     ${fr.injected} double spends injected by clones, ${fr.detected} detected${fr.undetected.length ? `, UNDETECTED: ${fr.undetected.join(', ')}` : ''}; ${fr.revokedCards} cards revoked`);
  if (fr.injected) L.push(`           time to detection: p50 ${n(fr.timeToDetectionHours.p50, ' h')}, max ${n(fr.timeToDetectionHours.max, ' h')}`);
  const cp = r.clonePayments;
  if (cp.attempted) {
    L.push(`           clones tried ${cp.attempted} payments, ${cp.accepted} accepted offline (${money(cp.amount)})`);
    for (const [why, k] of Object.entries(cp.refusedByReason)) L.push(`           clone payment failed: ${k} x ${why}`);
  }
  L.push('');
  const v = r.conservation;
  L.push(`value      ${v.ok ? 'CONSERVED' : 'NOT CONSERVED'}: deposits ${money(v.deposits)} = accounts ${money(v.accountBalances)} + card allowances left ${money(v.cardHeadroom)}`);
  L.push(`           settled ${v.settled.count} payments (${money(v.settled.amount)}); rejected ${v.rejected.count} (${money(v.rejected.amount)}); fraud loss ${money(v.fraudLoss)}`);
  for (const ch of v.checks) L.push(`           ${ch.ok ? 'ok  ' : 'FAIL'} ${ch.name} (${ch.detail})`);
  L.push('');
  L.push(`host       ${r.host.wallSeconds} s wall, ${r.host.paymentsPerSecond} payments/s, peak RSS ${r.host.peakRssMB} MB; crypto ${r.host.crypto}`);
  return L.join('\n');
}

// `tally bridge provision`: a blank card makes its keys, proves them to the
// authority (enrolment: a challenge from the authority, signed on the card),
// and installs the certificate the authority issues. Only public keys and the
// signed request cross the serial line. Run again after any interruption:
// a card that has keys but no certificate enrols the same keys again, and the
// authority answers a repeated enrolment with the same certificate.
import { decodeCertificate, equalBytes, tallyError, toHex } from '../../firmware/core/index.js';
import type { AuthorityClient } from './authority-client.js';
import type { CardClient } from './card-client.js';

export interface Provisioned {
  card: string;
  account: string;
  certSerial: number;
  /** False when the card already had this certificate (a repeated run). */
  installed: boolean;
}

export async function provisionCard(card: CardClient, authority: AuthorityClient, account: string): Promise<Provisioned> {
  const info = await card.info();
  if (info.provisioned) throw tallyError(6010, info.cardId ? toHex(info.cardId) : '');
  const a = await authority.info();
  const challenge = await authority.challenge();
  const p = await card.provision(account, challenge);
  const enrolled = await authority.enrol(p.enrolment);
  if (enrolled.card !== toHex(p.cardId)) throw tallyError(6016, 'the authority enrolled another card');
  const cert = decodeCertificate(enrolled.certificate);
  if (!equalBytes(cert.signKey, p.signKey) || !equalBytes(cert.dhKey, p.dhKey)) throw tallyError(6016, 'the certificate holds other keys');
  const r = await card.apply('applyCert', enrolled.certificate);
  // The current epoch and revocation list, so the card starts up to date (checked by the card too).
  await card.apply('applyRevocations', a.revocations);
  await card.apply('applyEpoch', a.epoch);
  return { card: enrolled.card, account: enrolled.account, certSerial: cert.serial, installed: r.applied };
}

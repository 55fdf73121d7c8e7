// The host bridge's public surface: a card on a serial port, and the sync and
// provisioning that run through it.
export { SerialLink, type LinkOptions, type RequestOptions } from './port.js';
export { CardClient } from './card-client.js';
export { AuthorityClient, type SyncReply, type CardView, type AuthorityInfo, type Enrolled, type PaymentStatus } from './authority-client.js';
export { syncCard, isLinkError, type SyncOptions, type SyncSummary, type SyncProgress } from './sync.js';
export { provisionCard, type Provisioned } from './provision.js';
export { listPorts, type PortInfo } from './list.js';
export { ProgressBar } from './progress.js';

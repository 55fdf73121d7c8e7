import './ledger.spec.js';

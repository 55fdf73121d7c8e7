import './cbor.spec.js';

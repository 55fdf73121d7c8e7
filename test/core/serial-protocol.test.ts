import './serial-protocol.spec.js';
